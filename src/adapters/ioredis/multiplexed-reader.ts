import { sleep } from '../../domain/sleep.js';
import { backoffDelay, isRetryable, type Backoff } from '../../domain/retry.js';
import type { Redis } from 'ioredis';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StreamEntry, TopicCursor, TopicEntries } from '../../ports/stream-repository.js';
import { compareCanonicalStreamIds, type StreamId } from '../../domain/stream-id.js';
import { TaskStreamError } from '../../domain/errors.js';
import { closedError, toTaskStreamError } from './errors.js';
import { entriesAfter, readRound, type RoundPlan } from './read-round.js';
import { covers, readsAny, Waiter } from './reader-waiter.js';
import { AbortWatch } from './abort-watch.js';
import { XReadEncoder } from './xread-command.js';

/** Waits between failed blocking reads: 50 ms doubling to 2 s, for as long as the failure lasts. */
const READ_RETRY_BACKOFF: Backoff = { initialMs: 50, maxMs: 2_000, factor: 2, jitter: 'none' };

/** What a {@link MultiplexedReader} needs from its surroundings. */
export interface MultiplexedReaderOptions {
  /** Opens the dedicated blocking connection, with this client name (called once, lazily). */
  readonly connect: (name: string) => Redis;
  /** Sends `CLIENT UNBLOCK <id>` over a command connection to the reader's server; resolves 1 when it unblocked. */
  readonly unblock: (clientId: number) => Promise<number>;
  /** Looks a connection's id up by client name (`CLIENT LIST`), after a reconnect re-sent the in-flight read. */
  readonly clientIdByName: (name: string) => Promise<number | undefined>;
  /** Topics with different groups cannot share one `XREAD` (Redis Cluster slots); `undefined`: one group (a single server). */
  readonly groupOf: ((topic: string) => number) | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Longest single `XREAD BLOCK`; waiters time out on their own timers. */
  readonly maxBlockMs: number;
  /** With waiters in several groups, how long the one blocking `XREAD` of a round waits. */
  readonly multiGroupPollMs: number;
}

interface Round {
  readonly epoch: number;
  readonly plan: ReadonlyMap<string, StreamId>;
}

/**
 * Serves every blocking read of a process over ONE dedicated connection. Each round issues one
 * `XREAD COUNT c BLOCK ms STREAMS k1..kn id1..idn` where each topic's id is the lowest cursor any
 * waiter holds for it, then hands each waiter the entries after its own cursor (at most its
 * `count`) and resolves it. A waiter whose topic or cursor the in-flight read does not cover
 * interrupts it with `CLIENT UNBLOCK` and the round is re-issued; since every round reads after
 * explicit cursors, never `$`, nothing appended meanwhile is lost.
 *
 * A waiter's "queue" is its pending promise, bounded by its `count`: entries past it stay in the
 * stream and the caller's next read, from its last id, gets them. A slow caller therefore never
 * holds the reader back. With no waiters the reader issues nothing and holds no timer.
 */
export class MultiplexedReader {
  readonly #options: MultiplexedReaderOptions;
  readonly #waiters = new Set<Waiter>();
  readonly #byTopic = new Map<string, Waiter | Set<Waiter>>();
  /** The current round's plan: topic → the cursor it is read after (see {@link #plan}). */
  readonly #planCursors = new Map<string, StreamId>();
  /** Topics whose waiters changed since the last plan. */
  readonly #changed = new Set<string>();
  /** The topics of `#changed` as the last plan took them (reused). */
  readonly #changedList: string[] = [];
  #maxCount = 1;
  #latestDeadline = 0;
  readonly #name = `taskstream-reader:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  #connection: Redis | undefined;
  #readyCount = 0;
  #idReadyCount = -1;
  #clientId: Promise<number> | undefined;
  #running = false;
  #closed = false;
  #epoch = 0;
  #round: Round | null = null;
  #interruptedEpoch = -1;
  #failures = 0;
  #timer: TimerHandle | undefined;
  #timerAt = 0;

  constructor(options: MultiplexedReaderOptions) {
    this.#options = options;
  }

  /** Waiters currently registered (for tests and metrics). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Whether the dedicated connection has been opened. */
  get connected(): boolean {
    return this.#connection !== undefined;
  }

  /** Entries after each cursor, waiting up to `blockMs` for the first; `[]` on timeout or abort. */
  read(cursors: readonly TopicCursor[], count: number, blockMs: number, signal?: AbortSignal): Promise<TopicEntries[]> {
    if (this.#closed) return Promise.reject(closedError('read'));
    if (signal?.aborted || cursors.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => this.#add(new Waiter(cursors, count, this.#options.clock.now() + blockMs, signal, resolve, reject)));
  }

  /** {@link read} of one topic, resolved with its entries alone: a subscriber's usual read, with no list to build or search. */
  readOne(topic: string, afterId: StreamId, count: number, blockMs: number, signal?: AbortSignal): Promise<readonly StreamEntry[]> {
    if (this.#closed) return Promise.reject(closedError('read'));
    if (signal?.aborted) return Promise.resolve([]);
    return new Promise((resolve, reject) =>
      this.#add(new Waiter({ topic, afterId, entriesOnly: true }, count, this.#options.clock.now() + blockMs, signal, resolve, reject)),
    );
  }

  #add(waiter: Waiter): void {
    this.#waiters.add(waiter);
    if (waiter.count > this.#maxCount) this.#maxCount = waiter.count;
    if (waiter.deadline > this.#latestDeadline) this.#latestDeadline = waiter.deadline;
    if (waiter.cursors === undefined) this.#addToTopic(waiter.topic!, waiter);
    else for (const topic of waiter.cursors.keys()) this.#addToTopic(topic, waiter);
    this.#armTimer(waiter.deadline);
    if (waiter.signal !== undefined) this.#aborts.watch(waiter.signal, waiter);
    this.#onWaiterAdded(waiter);
  }

  /** Resolves every waiter with nothing and drops the dedicated connection. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of [...this.#waiters]) this.#finish(waiter, []);
    this.#connection?.disconnect();
  }

  readonly #encoder = new XReadEncoder();
  readonly #aborts = new AbortWatch<Waiter>((waiter) => this.#finish(waiter, []));

  // A topic's waiters: the waiter itself when it is the only one (the usual case: no Set per read).
  #addToTopic(topic: string, waiter: Waiter): void {
    this.#changed.add(topic);
    const held = this.#byTopic.get(topic);
    if (held === undefined) this.#byTopic.set(topic, waiter);
    else if (held instanceof Waiter) this.#byTopic.set(topic, new Set([held, waiter]));
    else held.add(waiter);
  }

  #removeFromTopic(topic: string, waiter: Waiter): void {
    this.#changed.add(topic);
    const held = this.#byTopic.get(topic);
    if (held === waiter) this.#byTopic.delete(topic);
    else if (held instanceof Set) {
      held.delete(waiter);
      if (held.size === 0) this.#byTopic.delete(topic);
    }
  }

  #finish(waiter: Waiter, result: readonly TopicEntries[] | readonly StreamEntry[] | TaskStreamError): void {
    if (!this.#waiters.delete(waiter)) return;
    if (waiter.cursors === undefined) this.#removeFromTopic(waiter.topic!, waiter);
    else for (const topic of waiter.cursors.keys()) this.#removeFromTopic(topic, waiter);
    if (this.#waiters.size === 0) {
      this.#disarmTimer();
      // nobody waits: the round in flight (it may block up to a deadline that has left) ends now
      if (this.#round !== null) void this.#interrupt(this.#round.epoch);
    }
    if (waiter.signal !== undefined) this.#aborts.unwatch(waiter.signal, waiter);
    if (result instanceof TaskStreamError) waiter.reject(result);
    else waiter.resolve(result);
  }

  /**
   * One timer for all waiters, due at the earliest deadline: a new waiter re-arms it only when
   * it is due sooner; when it fires it resolves every waiter past its deadline with `[]` and is
   * armed again for the earliest remaining one. No waiter, no timer.
   */
  #armTimer(deadline: number): void {
    if (this.#timer !== undefined && deadline >= this.#timerAt) return;
    this.#disarmTimer();
    const { clock } = this.#options;
    this.#timerAt = deadline;
    this.#timer = clock.setTimeout(this.#onTimer, Math.max(0, deadline - clock.now()));
  }

  #disarmTimer(): void {
    if (this.#timer === undefined) return;
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    // The timer ran its full delay, so its deadline has come even if the clock's `now()` stepped
    // back meanwhile (a wall clock may): the earliest waiter still times out on time.
    const now = Math.max(this.#options.clock.now(), this.#timerAt);
    let next = Number.POSITIVE_INFINITY;
    for (const waiter of this.#waiters) {
      if (waiter.deadline <= now) this.#finish(waiter, []);
      else if (waiter.deadline < next) next = waiter.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.#armTimer(next);
  };

  #onWaiterAdded(waiter: Waiter): void {
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(() => void this.#loop());
      return;
    }
    const round = this.#round;
    if (round !== null && !covers(round.plan, waiter)) void this.#interrupt(round.epoch);
  }

  #conn(): Redis {
    if (this.#connection === undefined) {
      const conn = this.#options.connect(this.#name);
      conn.on('ready', () => {
        this.#readyCount++;
      });
      conn.on('error', (err: Error) => this.#options.logger.debug('taskstream reader connection error', { error: err.message }));
      this.#connection = conn;
    }
    return this.#connection;
  }

  async #loop(): Promise<void> {
    try {
      while (!this.#closed && this.#waiters.size > 0) {
        const conn = this.#conn();
        if (this.#clientId === undefined || this.#idReadyCount !== this.#readyCount) {
          // Sent right before the XREAD on the same socket, so the id names the connection that blocks.
          this.#idReadyCount = this.#readyCount;
          this.#clientId = conn.client('ID') as Promise<number>;
          this.#clientId.catch(() => undefined);
        }
        const plan = this.#plan();
        const round: Round = { epoch: ++this.#epoch, plan: plan.cursors };
        this.#round = round;
        let results: TopicEntries[];
        try {
          results = await readRound(conn, plan, this.#options.groupOf, this.#epoch, this.#options.multiGroupPollMs, this.#encoder);
          this.#failures = 0;
        } catch (err) {
          this.#round = null;
          this.#clientId = undefined;
          if (this.#closed) return;
          const mapped = toTaskStreamError(err, 'blocking read');
          const moved = mapped.details['moved'] === true;
          if (moved || !isRetryable(mapped)) {
            // Redis refused the read itself (a topic that is not a stream, an ACL, or a slot that
            // now lives on another node): retrying here cannot help, so the waiters of this round
            // get the error; for MOVED the caller re-routes them (see ReaderRouter).
            for (const waiter of [...this.#waiters]) {
              if (readsAny(waiter, round.plan)) this.#finish(waiter, mapped);
            }
            continue;
          }
          this.#failures++;
          this.#options.logger.warn('taskstream blocking read failed; retrying from the same cursors', {
            error: err instanceof Error ? err.message : String(err),
            attempt: this.#failures,
          });
          await sleep(this.#options.clock, backoffDelay(READ_RETRY_BACKOFF, this.#failures));
          continue;
        }
        this.#round = null;
        if (this.#dispatch(results, round.plan)) {
          // Let the readers just served come back with their next read before planning the next
          // round, so it covers them instead of being interrupted by each of them.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      this.#running = false;
      if (!this.#closed && this.#waiters.size > 0) {
        this.#running = true;
        queueMicrotask(() => void this.#loop());
      }
    }
  }

  /**
   * The next round: the lowest cursor per topic waited on, the largest count, and a block time up
   * to the latest deadline. The cursors live in one Map for the reader's life, updated in place
   * for the topics whose waiters changed since the last round (`#changed`), so a round costs what
   * the active topics cost, not every subscribed one; the Map only changes here, between rounds,
   * so during a round it is that round's plan. The count is the largest any waiter asked for so
   * far (a waiter never gets more than its own), the deadline the latest one seen (when the last
   * waiter leaves, the round is interrupted).
   */
  #plan(): RoundPlan {
    const cursors = this.#planCursors;
    const changed = this.#changedList;
    changed.length = 0;
    for (const topic of this.#changed) {
      changed.push(topic);
      const held = this.#byTopic.get(topic);
      if (held === undefined) cursors.delete(topic);
      else cursors.set(topic, lowestCursor(held, topic));
    }
    this.#changed.clear();
    const remaining = this.#latestDeadline - this.#options.clock.now();
    return { cursors, changed, count: this.#maxCount, blockMs: Math.max(1, Math.min(this.#options.maxBlockMs, remaining)) };
  }

  /**
   * Hands each waiter the entries after its cursor. A topic's entries start after the round's
   * cursor for it, so a waiter that registered mid-round with an OLDER cursor must not take them
   * (it would skip what lies between); it stays for the next round, which starts at its cursor.
   */
  #dispatch(results: TopicEntries[], plan: ReadonlyMap<string, StreamId>): boolean {
    if (results.length === 0) return false;
    // Only the waiters of topics that got entries are visited (there may be thousands of others).
    // A one-topic waiter is resolved on the spot; a multi-topic one collects its topics first.
    let served = false;
    const outs = new Map<Waiter, TopicEntries[]>();
    for (const result of results) {
      const from = plan.get(result.topic);
      const held = this.#byTopic.get(result.topic);
      // entries for a slot the round held idle (a foreign id past its all-nines id): read it no more
      if (from === undefined) this.#encoder.dropIdle();
      if (from === undefined || held === undefined) continue;
      if (held instanceof Waiter) served = this.#offer(held, result, from, outs) || served;
      else for (const waiter of held) served = this.#offer(waiter, result, from, outs) || served;
    }
    for (const [waiter, out] of outs) this.#finish(waiter, out);
    return served;
  }

  /** Hands `waiter` its share of the round's `result` (read from `from`); false when it takes nothing. */
  #offer(waiter: Waiter, result: TopicEntries, from: StreamId, outs: Map<Waiter, TopicEntries[]>): boolean {
    const { topic, entries } = result;
    const cursor = waiter.cursorOf(topic)!;
    if (compareCanonicalStreamIds(from, cursor) > 0) return false;
    const selected = entriesAfter(entries, cursor, waiter.count);
    if (selected.length === 0) return false;
    if (waiter.entriesOnly) {
      this.#finish(waiter, selected);
      return true;
    }
    // Waiters that take every entry share the round's (read-only) list.
    const part = selected === entries ? result : { topic, entries: selected };
    if (waiter.cursors === undefined) this.#finish(waiter, [part]);
    else {
      const out = outs.get(waiter);
      if (out === undefined) outs.set(waiter, [part]);
      else out.push(part);
    }
    return true;
  }

  async #interrupt(epoch: number): Promise<void> {
    if (this.#interruptedEpoch === epoch) return;
    this.#interruptedEpoch = epoch;
    try {
      for (let attempt = 0; attempt < 20; attempt++) {
        if (this.#idReadyCount !== this.#readyCount) {
          // Reconnected: ioredis re-sent the XREAD on a new socket, whose id we have not asked for.
          const fresh = await this.#options.clientIdByName(this.#name);
          if (fresh !== undefined) {
            this.#idReadyCount = this.#readyCount;
            this.#clientId = Promise.resolve(fresh);
          }
        }
        const id = await this.#clientId;
        if (id === undefined || this.#closed || this.#round?.epoch !== epoch) return;
        if ((await this.#options.unblock(id)) === 1) return;
        // The XREAD has not reached the server yet (or just returned): try again shortly.
        await sleep(this.#options.clock, Math.min(50, 1 + attempt * 2));
      }
    } catch (err) {
      this.#options.logger.debug('taskstream CLIENT UNBLOCK failed; the read ends at its block timeout', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

/** The lowest cursor for `topic` of its waiters. */
function lowestCursor(held: Waiter | Set<Waiter>, topic: string): StreamId {
  if (held instanceof Waiter) return held.cursorOf(topic)!;
  let low: StreamId | undefined;
  for (const waiter of held) {
    const cursor = waiter.cursorOf(topic)!;
    if (low === undefined || compareCanonicalStreamIds(cursor, low) < 0) low = cursor;
  }
  return low!;
}
