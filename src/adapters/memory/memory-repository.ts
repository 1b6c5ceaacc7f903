import { TaskStreamError } from '../../domain/errors.js';
import { ZERO_ID } from '../../domain/stream-id.js';
import type { StreamId } from '../../domain/stream-id.js';
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
import { BlockedReads } from './blocked-reads.js';
import type { ResolvedMemoryOptions } from './options.js';
import { StreamLog } from './stream-log.js';
import { checkAppend, checkCursor, checkCursors, checkReadOptions, checkTopic } from '../shared/validate-request.js';
import type { CheckedCursor, CheckedReadOptions } from '../shared/validate-request.js';

/** One key: the stream, its expiry and its idempotency record, which live and die together. */
interface Topic {
  readonly log: StreamLog;
  /** Clock time after which the key is gone (Redis expires when `now > at`); null = no TTL. */
  expiresAt: number | null;
  /** producerId -> highest sequence appended. */
  readonly producers: Map<string, number>;
  /** message key -> id of its terminal (port rule 10). */
  readonly terminals: Map<string, StreamId>;
}

const CAPABILITIES: StreamRepositoryCapabilities = Object.freeze({
  blockingReads: true,
  atomicBatchAppend: true,
  idempotentAppend: true,
  exactlyOneTerminal: true,
});

/**
 * An in-process {@link StreamRepository} with the semantics of a Redis 7.0 stream per topic:
 * ids, `MAXLEN ~` node-granular trimming, sliding TTL, idempotent appends and `XREAD BLOCK`-like
 * reads, all timed by the injected clock. It arms a timer only for a blocked read, so an idle
 * instance costs nothing. See the module documentation (`adapters/memory/index.ts`) for what is
 * emulated exactly and how it was checked against a real server.
 */
export class MemoryStreamRepository implements StreamRepository {
  readonly capabilities: StreamRepositoryCapabilities = CAPABILITIES;
  readonly #options: ResolvedMemoryOptions;
  readonly #topics = new Map<string, Topic>();
  readonly #blocked: BlockedReads;
  #sweep: Iterator<[string, Topic]> | undefined;
  #closed = false;

  constructor(options: ResolvedMemoryOptions) {
    this.#options = options;
    this.#blocked = new BlockedReads(options.clock);
  }

  /** Topics held, counting expired ones not reclaimed yet (each append reclaims a few). */
  get topicCount(): number {
    return this.#topics.size;
  }

  /** Reads currently blocked waiting for entries. */
  get waitingReads(): number {
    return this.#blocked.size;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    this.#ensureOpen();
    const req = checkAppend(request);
    const now = this.#options.clock.now();
    this.#sweepSome(now);
    if (req.entries.length === 0) return { ids: [], duplicates: 0 };

    let topic = this.#live(req.topic, now);
    let skip = 0;
    if (topic !== undefined && req.producerId !== undefined && req.seqs !== undefined) {
      const last = topic.producers.get(req.producerId);
      if (last !== undefined) while (skip < req.seqs.length && req.seqs[skip]! <= last) skip++;
    }
    // A retry of an append that fully landed: no XADD, so no EXPIRE either; the TTL stays as it is.
    if (skip === req.entries.length) return { ids: [], duplicates: skip };
    const terminalId = req.message === undefined ? undefined : topic?.terminals.get(req.message.key);
    if (terminalId !== undefined) {
      throw new TaskStreamError('AFTER_TERMINAL', `append refused: message ${req.message!.key} of ${req.topic} already has its terminal (${terminalId}); nothing was written`, {
        details: { topic: req.topic, message: req.message!.key, terminalId },
      });
    }
    if (topic === undefined) {
      topic = { log: new StreamLog(this.#options), expiresAt: null, producers: new Map(), terminals: new Map() };
      this.#topics.set(req.topic, topic);
    }
    // One `XADD MAXLEN ~ max(maxLen, batch size)` per entry: never trims what this call wrote,
    // and caps each trim at Redis's per-command limit exactly as a real server would.
    const trimTo = req.maxLen > 0 ? Math.max(req.maxLen, req.entries.length) : 0;
    const ids: StreamId[] = [];
    for (let i = skip; i < req.entries.length; i++) {
      ids.push(topic.log.append(req.entries[i]!, now));
      if (trimTo > 0) topic.log.trimApprox(trimTo);
    }
    if (req.producerId !== undefined && req.seqs !== undefined) {
      topic.producers.set(req.producerId, req.seqs[req.seqs.length - 1]!);
    }
    if (req.message?.terminal === true) topic.terminals.set(req.message.key, ids[ids.length - 1]!);
    if (req.ttlSeconds > 0) topic.expiresAt = now + req.ttlSeconds * 1000;
    this.#blocked.notify(req.topic);
    return { ids, duplicates: skip };
  }

  async read(topic: string, afterId: StreamId, options?: ReadOptions): Promise<readonly StreamEntry[]> {
    this.#ensureOpen();
    const cursor = checkCursor(topic, afterId);
    const opts = checkReadOptions(options);
    const collect = (): StreamEntry[] | null => {
      const entries = this.#collectOne(cursor, opts.count);
      return entries.length > 0 ? entries : null;
    };
    return this.#readOrWait([cursor.topic], opts, collect, []);
  }

  /**
   * Entries of many topics at once, each after its own cursor (as `XREAD` with several keys);
   * waits while all are empty. Beyond the port: kept as the reference model the ioredis adapter's
   * own `readMany` is compared with (`test/adapters/ioredis/differential.test.ts`).
   */
  async readMany(cursors: readonly TopicCursor[], options?: ReadOptions): Promise<readonly TopicEntries[]> {
    this.#ensureOpen();
    const checked = checkCursors(cursors);
    const opts = checkReadOptions(options);
    const collect = (): TopicEntries[] | null => {
      const out: TopicEntries[] = [];
      for (const cursor of checked) {
        const entries = this.#collectOne(cursor, opts.count);
        if (entries.length > 0) out.push({ topic: cursor.topic, entries });
      }
      return out.length > 0 ? out : null;
    };
    return this.#readOrWait(
      checked.map((c) => c.topic),
      opts,
      collect,
      [],
    );
  }

  async tailId(topic: string): Promise<StreamId> {
    this.#ensureOpen();
    return this.#live(checkTopic(topic), this.#options.clock.now())?.log.lastId ?? ZERO_ID;
  }

  async info(topic: string): Promise<StreamInfo | null> {
    this.#ensureOpen();
    const now = this.#options.clock.now();
    const state = this.#live(checkTopic(topic), now);
    if (state === undefined) return null;
    return {
      length: state.log.length,
      firstId: state.log.firstId,
      lastId: state.log.lastId,
      entriesAdded: state.log.entriesAdded,
      // Redis 7.0 moves max-deleted-entry-id only on XDEL, never on trimming (checked on 7.0.15).
      maxDeletedId: ZERO_ID,
      ttlMs: state.expiresAt === null ? null : Math.max(0, state.expiresAt - now),
    };
  }

  async deleteTopic(topic: string): Promise<boolean> {
    this.#ensureOpen();
    const name = checkTopic(topic);
    const existed = this.#live(name, this.#options.clock.now()) !== undefined;
    this.#topics.delete(name);
    return existed;
  }

  /**
   * Drops every expired topic now (appends already reclaim a few each). Returns how many went.
   * Not needed for correctness: an expired topic behaves as missing either way.
   */
  purgeExpired(): number {
    const now = this.#options.clock.now();
    let purged = 0;
    for (const [name, topic] of this.#topics) if (this.#reclaimIfExpired(name, topic, now)) purged++;
    return purged;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#blocked.cancelAll();
    this.#topics.clear();
    this.#sweep = undefined;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new TaskStreamError('CLOSED', 'memory repository is closed');
  }

  /** The topic if it exists and has not expired; an expired one is reclaimed on the spot. */
  #live(name: string, now: number): Topic | undefined {
    const topic = this.#topics.get(name);
    if (topic === undefined || this.#reclaimIfExpired(name, topic, now)) return undefined;
    return topic;
  }

  #reclaimIfExpired(name: string, topic: Topic, now: number): boolean {
    if (topic.expiresAt === null || now <= topic.expiresAt) return false;
    this.#topics.delete(name);
    this.#options.logger.debug('memory repository: expired topic reclaimed', { topic: name });
    return true;
  }

  /** Inspects the next few topics round-robin, so expired topics never pile up (no timer needed). */
  #sweepSome(now: number): void {
    let restarted = false;
    for (let i = 0; i < this.#options.sweepPerAppend; i++) {
      this.#sweep ??= this.#topics.entries();
      const next = this.#sweep.next();
      if (next.done === true) {
        this.#sweep = undefined;
        if (restarted) return;
        restarted = true;
        continue;
      }
      this.#reclaimIfExpired(next.value[0], next.value[1], now);
    }
  }

  #collectOne(cursor: CheckedCursor, count: number): StreamEntry[] {
    const topic = this.#live(cursor.topic, this.#options.clock.now());
    if (topic === undefined) return [];
    return topic.log.readAfter(cursor.after.ms, cursor.after.seq, count);
  }

  #readOrWait<T>(topics: readonly string[], opts: CheckedReadOptions, collect: () => T | null, empty: T): Promise<T> {
    const ready = collect();
    if (ready !== null) return Promise.resolve(ready);
    if (opts.blockMs <= 0 || opts.signal?.aborted === true) return Promise.resolve(empty);
    return this.#blocked.wait(topics, opts.blockMs, opts.signal, collect, empty);
  }
}
