import type { Cluster, Redis } from 'ioredis';
import type {
  AppendRequest,
  AppendResult,
  ReadOptions,
  StreamEntry,
  StreamInfo,
  StreamRepository,
  StreamRepositoryCapabilities,
  TopicCursor,
  TopicEntries,
} from '../../ports/stream-repository.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { TaskStreamError } from '../../domain/errors.js';
import { assertStreamId, compareStreamIds, parseStreamId, ZERO_ID, type StreamId } from '../../domain/stream-id.js';
import { appendArgs, parseAppendReply, type AppendReply } from '../shared/append-script.js';
import { defineAppendCommand } from './append-command.js';
import { scriptSender } from './script-call.js';
import { APPEND_MANY_LUA, APPEND_MANY_SHA } from '../shared/append-many-script.js';
import { AppendBatcher, type AppendFlush } from './append-batcher.js';
import { requireIntegerArgument } from '../../domain/validation.js';
import { closeConnection, type ResolvedConnection } from './connection.js';
import { closedError, toTaskStreamError } from './errors.js';
import { producersKeyFor } from '../shared/producer-keys.js';
import { groupBy } from '../shared/group-by.js';
import { checkAppend } from '../shared/validate-request.js';
import { slotOf } from './hash-slot.js';
import { ReaderRouter } from './reader-router.js';
import { parseEntries, parseInfo, parseXRead } from './replies.js';

/** Nothing can follow it (and Redis rejects an exclusive range that starts there). */
const LAST_POSSIBLE_ID = '18446744073709551615-18446744073709551615';

/** Settings the repository needs once its connection is resolved. */
export interface RepositorySettings {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly producersKeyPrefix: string;
  readonly defaultReadCount: number;
  readonly maxBlockMs: number;
  readonly clusterPollMs: number;
  /** Appends issued in one tick share multi-append script calls of up to `maxAppends` (single Redis only); `undefined`: one call per append. */
  readonly appendBatch?: { readonly maxAppends: number; readonly flush: AppendFlush } | undefined;
}

/** {@link StreamRepository} on ioredis. Build it with `createIoredisRepository`. */
export class IoredisRepository implements StreamRepository {
  readonly capabilities: StreamRepositoryCapabilities = { blockingReads: true, atomicBatchAppend: true, idempotentAppend: true, exactlyOneTerminal: true };
  readonly #connection: ResolvedConnection;
  readonly #settings: RepositorySettings;
  readonly #readers: ReaderRouter;
  readonly #sendAppend: ReturnType<typeof defineAppendCommand>;
  readonly #batcher: AppendBatcher | undefined;
  /** Unbatched append calls not yet answered, so close() can wait for them. */
  readonly #unbatched = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(connection: ResolvedConnection, settings: RepositorySettings) {
    this.#connection = connection;
    this.#settings = settings;
    if (connection.owned) {
      // ioredis reconnects on its own; without a listener an 'error' event would crash the process.
      connection.command.on('error', (err: Error) => settings.logger.debug('taskstream redis connection error', { error: err.message }));
    }
    this.#sendAppend = defineAppendCommand(connection.command);
    // keys of one script call must share a hash slot: on a cluster, one call per append
    const batch = connection.isCluster ? undefined : settings.appendBatch;
    this.#batcher =
      batch === undefined
        ? undefined
        : new AppendBatcher(scriptSender(connection.command as Redis, APPEND_MANY_LUA, APPEND_MANY_SHA), {
            ...batch,
            mapError: (err) => toTaskStreamError(err, 'append'),
            onTtlFailed: (topic, ttlSeconds) => this.#warnTtlFailed(topic, ttlSeconds),
          });
    this.#readers = new ReaderRouter(connection, {
      clock: settings.clock,
      logger: settings.logger,
      maxBlockMs: settings.maxBlockMs,
      multiGroupPollMs: settings.clusterPollMs,
    });
  }

  /** The command connection (the user's client when one was supplied). */
  get client(): Redis | Cluster {
    return this.#connection.command;
  }

  /** Dedicated blocking-read connections currently opened (1 on a single Redis once anything blocked). */
  get readerConnections(): number {
    return this.#readers.connectionCount;
  }

  append(request: AppendRequest): Promise<AppendResult> {
    const batcher = this.#batcher;
    if (batcher === undefined) return this.#appendUnbatched(request);
    // not async: the batcher's promise is the result, one promise per append
    try {
      this.#ensureOpen('append');
      // serialized by the batcher before this returns, so the caller's objects need no defensive copy
      checkAppend(request, { copy: false });
      if (request.entries.length === 0) return Promise.resolve({ ids: [], duplicates: 0 });
      return batcher.append(request, producersKeyFor(request.topic, this.#settings.producersKeyPrefix));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async #appendUnbatched(request: AppendRequest): Promise<AppendResult> {
    this.#ensureOpen('append');
    // serialized below before the first await, so the caller's objects need no defensive copy
    checkAppend(request, { copy: false });
    if (request.entries.length === 0) return { ids: [], duplicates: 0 };
    const producersKey = producersKeyFor(request.topic, this.#settings.producersKeyPrefix);
    let result: AppendReply;
    try {
      result = parseAppendReply(await this.#sendUnbatched(request, producersKey));
    } catch (err) {
      // A redirect inside a pipeline with other commands is not followed by ioredis: refresh the slot map so the caller's retry goes to the new owner.
      if (this.#connection.isCluster && err instanceof Error && /^(MOVED|ASK) /.test(err.message)) (this.#connection.command as Cluster).refreshSlotsCache();
      throw toTaskStreamError(err, 'append');
    }
    if (result.ttlFailed) this.#warnTtlFailed(request.topic, request.ttlSeconds);
    return { ids: result.ids, duplicates: result.duplicates };
  }

  #warnTtlFailed(topic: string, ttlSeconds: number): void {
    this.#settings.logger.warn('taskstream TTL refresh failed after a successful append; entries are published', { topic, ttlSeconds });
  }

  read(topic: string, afterId: StreamId, options: ReadOptions = {}): Promise<readonly StreamEntry[]> {
    // Not async, with no list of cursors: a subscriber makes one of these per delivered delta at token rate.
    try {
      this.#ensureOpen('read');
      assertStreamId(afterId);
      const blockMs = options.blockMs ?? 0;
      if (blockMs > 0) {
        if (options.signal?.aborted) return Promise.resolve([]);
        return this.#readers.readOne(topic, afterId, this.#count(options), blockMs, options.signal);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#readNow(topic, afterId, options);
  }

  async #readNow(topic: string, afterId: StreamId, options: ReadOptions): Promise<readonly StreamEntry[]> {
    const count = this.#count(options);
    if (afterId === LAST_POSSIBLE_ID) return [];
    try {
      return parseEntries(await this.#connection.command.xrange(topic, `(${afterId}`, '+', 'COUNT', count));
    } catch (err) {
      throw toTaskStreamError(err, 'read');
    }
  }

  async readMany(cursors: readonly TopicCursor[], options: ReadOptions = {}): Promise<readonly TopicEntries[]> {
    this.#ensureOpen('readMany');
    const merged = mergeCursors(cursors);
    if (merged.length === 0 || options.signal?.aborted) return [];
    const count = this.#count(options);
    const blockMs = options.blockMs ?? 0;
    try {
      if (blockMs > 0) return await this.#readers.read(merged, count, blockMs, options.signal);
      const groups = this.#connection.isCluster ? [...groupBy(merged, (c) => slotOf(c.topic)).values()] : [merged];
      const replies = await Promise.all(
        groups.map((group) =>
          this.#connection.command.call('XREAD', 'COUNT', count, 'STREAMS', ...group.map((c) => c.topic), ...group.map((c) => c.afterId)),
        ),
      );
      return replies.flatMap((reply) => parseXRead(reply));
    } catch (err) {
      throw toTaskStreamError(err, 'readMany');
    }
  }

  async tailId(topic: string): Promise<StreamId> {
    this.#ensureOpen('tailId');
    try {
      const reply = await this.#connection.command.xrevrange(topic, '+', '-', 'COUNT', 1);
      return parseEntries(reply)[0]?.id ?? ZERO_ID;
    } catch (err) {
      throw toTaskStreamError(err, 'tailId');
    }
  }

  async info(topic: string): Promise<StreamInfo | null> {
    this.#ensureOpen('info');
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await this.#connection.command.pipeline().call('XINFO', 'STREAM', topic).pttl(topic).exec();
    } catch (err) {
      throw toTaskStreamError(err, 'info');
    }
    const [xinfo, pttl] = replies ?? [];
    if (xinfo?.[0]) {
      if (/no such key/i.test(xinfo[0].message)) return null;
      throw toTaskStreamError(xinfo[0], 'info');
    }
    if (pttl?.[0]) throw toTaskStreamError(pttl[0], 'info');
    return parseInfo(xinfo?.[1], pttl?.[1]);
  }

  async deleteTopic(topic: string): Promise<boolean> {
    this.#ensureOpen('deleteTopic');
    try {
      const replies = await this.#connection.command
        .pipeline()
        .del(topic)
        .del(producersKeyFor(topic, this.#settings.producersKeyPrefix))
        .exec();
      const first = replies?.[0];
      if (first?.[0]) throw first[0];
      return Number(first?.[1]) > 0;
    } catch (err) {
      throw toTaskStreamError(err, 'deleteTopic');
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#readers.close();
      // appends accepted before close() are answered before the connection's QUIT
      await Promise.all([this.#batcher?.drain(), ...[...this.#unbatched].map((p) => p.catch(() => undefined))]);
      if (this.#connection.owned) await closeConnection(this.#connection.command);
    })();
    return this.#closing;
  }

  #sendUnbatched(request: AppendRequest, producersKey: string): Promise<unknown> {
    const sent = this.#sendAppend([request.topic, producersKey], appendArgs(request));
    this.#unbatched.add(sent);
    const forget = () => this.#unbatched.delete(sent);
    sent.then(forget, forget);
    return sent;
  }

  #ensureOpen(operation: string): void {
    if (this.#closing !== undefined) throw closedError(operation);
  }

  #count(options: ReadOptions): number {
    const count = options.count ?? this.#settings.defaultReadCount;
    requireIntegerArgument('count', count);
    // 0 means no limit, as XREAD COUNT 0 does.
    return count === 0 ? Number.MAX_SAFE_INTEGER : count;
  }
}

/** One cursor per topic (the oldest, so nothing is skipped); ids are validated. */
function mergeCursors(cursors: readonly TopicCursor[]): readonly TopicCursor[] {
  if (cursors.length === 1) {
    assertStreamId(cursors[0]!.afterId);
    return cursors;
  }
  const byTopic = new Map<string, StreamId>();
  for (const { topic, afterId } of cursors) {
    parseStreamId(afterId);
    const held = byTopic.get(topic);
    if (held === undefined || compareStreamIds(afterId, held) < 0) byTopic.set(topic, afterId);
  }
  return [...byTopic].map(([topic, afterId]) => ({ topic, afterId }));
}


