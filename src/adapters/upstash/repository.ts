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
import type { Logger } from '../../ports/logger.js';
import { ZERO_ID, formatStreamId, type StreamId } from '../../domain/stream-id.js';
import { checkAppend, checkCursors, checkReadOptions, checkTopic } from '../shared/validate-request.js';
import { APPEND_LUA, APPEND_SHA, appendArgs, parseAppendReply } from '../shared/append-script.js';
import { producersKeyFor } from '../shared/producer-keys.js';
import { closedError } from './errors.js';
import { ReadPoller, type ReadPollerStats } from './read-poller.js';
import { HeldReader, type HeldReaderStats } from './held-reader.js';
import { RestClient, restScript } from './rest-client.js';
import { mapXRead, orderForXRead, parseInfoReply, xreadArgs } from './replies.js';
import { DELETE_SCRIPT, INFO_SCRIPT } from './scripts.js';
import type { ResolvedUpstashOptions, UpstashReadMode } from './options.js';
import type { Clock } from '../../ports/clock.js';

const APPEND_SCRIPT = restScript(APPEND_LUA, APPEND_SHA);

/**
 * {@link StreamRepository} over the Upstash REST API. Build it with `createUpstashRepository`.
 *
 * - Appends: one `EVALSHA` request per batch (the append script ioredis also sends: approximate
 *   trim, sliding TTL, idempotency record), so a retried request never writes an entry twice.
 * - Reads (`readMode` `block`/`auto`, `capabilities.blockingReads` true): every read with a
 *   `blockMs` waits on ONE held `XREAD … BLOCK` request for all topics this repository's
 *   readers wait on (see {@link HeldReader}); a read without `blockMs` is one non-blocking
 *   `XREAD`. In `auto` mode, a server that answers a blocking read with an error switches the
 *   repository to polling for good (logged once; `capabilities.blockingReads` turns false).
 * - Reads (`readMode` `poll`): REST polling (`blockMs` is ignored). Every `read`/`readMany`
 *   joins a queue answered by the next poll, one non-blocking multi-topic `XREAD` for all queued
 *   readers; polls are spaced `pollMinMs` after entries, backing off to `pollMaxMs` while empty.
 *
 * Share one repository per process (the container does) to share its held read or its poll.
 */
export class UpstashRepository implements StreamRepository {
  readonly #client: RestClient;
  readonly #poller: ReadPoller;
  readonly #held: HeldReader;
  #mode: UpstashReadMode;
  readonly #options: ResolvedUpstashOptions;
  readonly #logger: Logger | undefined;
  #closed = false;

  constructor(client: RestClient, options: ResolvedUpstashOptions, clock: Clock, logger: Logger | undefined) {
    this.#client = client;
    this.#options = options;
    this.#logger = logger;
    this.#mode = options.readMode;
    this.#poller = new ReadPoller((cursors, count) => this.#batchRead(cursors, count), {
      clock,
      minMs: options.pollMinMs,
      maxMs: options.pollMaxMs,
    });
    this.#held = new HeldReader(
      (cursors, count, blockMs, signal) => this.#heldRead(cursors, count, blockMs, signal),
      (cursors, count) => this.#batchRead(cursors, count),
      {
        clock,
        logger,
        blockMs: options.blockMs,
        requestTimeoutMs: options.heldRequestTimeoutMs,
        onRefused: (error) => {
          if (this.#mode !== 'auto') return undefined;
          this.#mode = 'poll';
          this.#logger?.warn('taskstream upstash: the server refused a blocking read; polling from now on', { error: error.message });
          return (cursors, count, signal) => this.#poller.read(cursors, count, signal);
        },
      },
    );
  }

  /** Blocking reads while `readMode` is `block`, or `auto` and the server has not refused one. */
  get capabilities(): StreamRepositoryCapabilities {
    return { blockingReads: this.#mode !== 'poll', atomicBatchAppend: true, idempotentAppend: true, exactlyOneTerminal: true };
  }

  /** How reads wait now: `poll` once `auto` has fallen back. */
  get readMode(): UpstashReadMode {
    return this.#mode;
  }

  /** Polls sent and reads served so far (each poll is one HTTP request). */
  get pollStats(): Readonly<ReadPollerStats> {
    return this.#poller.stats;
  }

  /** Held requests sent, interrupted, timed out or failed so far. */
  get heldStats(): Readonly<HeldReaderStats> {
    return this.#held.stats;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    this.#ensureOpen('append');
    const checked = checkAppend(request);
    if (checked.entries.length === 0) return { ids: [], duplicates: 0 };
    const keys = [checked.topic, producersKeyFor(checked.topic, this.#options.producersKeyPrefix)];
    const args = appendArgs({ ...checked, ...(request.idempotency ? { idempotency: request.idempotency } : {}) }).map(String);
    const reply = await this.#client.script('append', APPEND_SCRIPT, keys, args, { idempotent: checked.producerId !== undefined });
    const parsed = parseAppendReply(reply);
    if (parsed.ttlFailed) this.#logger?.warn('taskstream upstash: TTL refresh failed after append', { topic: checked.topic });
    return { ids: parsed.ids, duplicates: parsed.duplicates };
  }

  async read(topic: string, afterId: StreamId, options?: ReadOptions): Promise<readonly StreamEntry[]> {
    const [cursor] = checkCursors([{ topic, afterId }]);
    const [entries] = await this.#pollRead([{ topic: cursor!.topic, afterId: formatStreamId(cursor!.after) }], options, 'read');
    return entries ?? [];
  }

  async readMany(cursors: readonly TopicCursor[], options?: ReadOptions): Promise<readonly TopicEntries[]> {
    const checked = checkCursors(cursors).map((c) => ({ topic: c.topic, afterId: formatStreamId(c.after) }));
    const results = await this.#pollRead(checked, options, 'readMany');
    const out: TopicEntries[] = [];
    checked.forEach((c, i) => {
      const entries = results[i] ?? [];
      if (entries.length > 0) out.push({ topic: c.topic, entries });
    });
    return out;
  }

  async tailId(topic: string): Promise<StreamId> {
    return (await this.#info(topic, 'tailId'))?.lastId ?? ZERO_ID;
  }

  info(topic: string): Promise<StreamInfo | null> {
    return this.#info(topic, 'info');
  }

  async #info(topic: string, operation: string): Promise<StreamInfo | null> {
    this.#ensureOpen(operation);
    const reply = await this.#client.script(operation, INFO_SCRIPT, [checkTopic(topic)], [], { idempotent: true });
    return parseInfoReply(reply);
  }

  async deleteTopic(topic: string): Promise<boolean> {
    this.#ensureOpen('deleteTopic');
    const keys = [checkTopic(topic), producersKeyFor(topic, this.#options.producersKeyPrefix)];
    const existed = await this.#client.script('deleteTopic', DELETE_SCRIPT, keys, [], { idempotent: true });
    return Number(existed) > 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#poller.close();
    this.#held.close();
    this.#client.close();
  }

  #pollRead(cursors: readonly TopicCursor[], options: ReadOptions | undefined, operation: string): Promise<StreamEntry[][]> {
    this.#ensureOpen(operation);
    const checked = checkReadOptions(options);
    const count = options?.count === undefined ? this.#options.defaultReadCount : checked.count;
    if (this.#mode === 'poll') return this.#poller.read(cursors, count, checked.signal);
    if (checked.blockMs > 0) return this.#held.read(cursors, count, checked.blockMs, checked.signal);
    if (checked.signal?.aborted) return Promise.resolve(cursors.map(() => []));
    return this.#batchRead(cursors, count);
  }

  async #heldRead(cursors: readonly TopicCursor[], count: number, blockMs: number, signal: AbortSignal): Promise<StreamEntry[][]> {
    const ordered = orderForXRead(cursors);
    const reply = await this.#client.held('read', xreadArgs(ordered, count, blockMs), signal);
    return this.#pairBack(cursors, ordered, reply);
  }

  async #batchRead(cursors: readonly TopicCursor[], count: number): Promise<StreamEntry[][]> {
    const ordered = orderForXRead(cursors);
    const reply = await this.#client.command('read', xreadArgs(ordered, count), { idempotent: true });
    return this.#pairBack(cursors, ordered, reply);
  }

  #pairBack(cursors: readonly TopicCursor[], ordered: readonly TopicCursor[], reply: unknown): StreamEntry[][] {
    const byOrdered = mapXRead(ordered, reply);
    const index = new Map(ordered.map((c, i) => [`${c.afterId} ${c.topic}`, i]));
    return cursors.map((c) => byOrdered[index.get(`${c.afterId} ${c.topic}`)!] ?? []);
  }

  #ensureOpen(operation: string): void {
    if (this.#closed) throw closedError(operation);
  }
}
