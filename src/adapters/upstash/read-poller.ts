import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { StreamEntry, TopicCursor } from '../../ports/stream-repository.js';
import { TaskStreamError } from '../../domain/errors.js';

/** Reads many cursors in one request: one entry list per cursor, in order; `count` 0 = no limit. */
export type BatchRead = (cursors: readonly TopicCursor[], count: number) => Promise<StreamEntry[][]>;

/** Settings of {@link ReadPoller}. */
export interface ReadPollerSettings {
  readonly clock: Clock;
  /** Interval after a poll that found entries. */
  readonly minMs: number;
  /** Interval an idle poller backs off to, doubling from `minMs`. */
  readonly maxMs: number;
}

interface Waiter {
  readonly cursors: readonly TopicCursor[];
  readonly count: number;
  readonly resolve: (entries: StreamEntry[][]) => void;
  readonly reject: (err: unknown) => void;
  done: boolean;
  detach(): void;
}

/** What the poller has done; a test or a benchmark reads it. */
export interface ReadPollerStats {
  /** Batched reads sent (one request each). */
  polls: number;
  /** Reads callers asked for (each joined some poll). */
  reads: number;
}

/**
 * Multiplexes every read of a process into one request per tick. A read joins the queue and is
 * answered by the next poll; each poll reads all queued cursors at once. Polls are spaced by an
 * adaptive interval: `minMs` after a poll that found entries, doubling up to `maxMs` while polls
 * come back empty, measured from the previous poll (a read after a long quiet spell polls at
 * once). With nothing queued there is no timer at all. When a batch is refused as a command
 * error (one cursor on a key that is not a stream), each read is retried alone, so only the
 * reader at fault gets the error.
 */
export class ReadPoller {
  readonly stats: ReadPollerStats = { polls: 0, reads: 0 };
  readonly #read: BatchRead;
  readonly #settings: ReadPollerSettings;
  #queue: Waiter[] = [];
  #timer: TimerHandle | undefined;
  #inFlight = false;
  #interval: number;
  #lastPollAt = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(read: BatchRead, settings: ReadPollerSettings) {
    this.#read = read;
    this.#settings = settings;
    this.#interval = settings.minMs;
  }

  /** The current spacing between polls, in ms. */
  get intervalMs(): number {
    return this.#interval;
  }

  /** Reads waiting for the next poll. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Entries after each cursor (at most `count` per cursor, 0 = no limit), from the next poll; empty lists when aborted. */
  read(cursors: readonly TopicCursor[], count: number, signal?: AbortSignal): Promise<StreamEntry[][]> {
    if (this.#closed) return Promise.reject(closed());
    if (signal?.aborted || cursors.length === 0) return Promise.resolve(cursors.map(() => []));
    this.stats.reads++;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (waiter.done) return;
        waiter.done = true;
        this.#queue = this.#queue.filter((w) => w !== waiter);
        if (this.#queue.length === 0 && !this.#inFlight) this.#cancelTimer();
        resolve(cursors.map(() => []));
      };
      const waiter: Waiter = {
        cursors,
        count,
        resolve,
        reject,
        done: false,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  /** Rejects queued reads with `CLOSED` and drops the timer. */
  close(): void {
    this.#closed = true;
    this.#cancelTimer();
    for (const w of this.#queue.splice(0)) settle(w, () => w.reject(closed()));
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#inFlight || this.#queue.length === 0 || this.#closed) return;
    const { clock } = this.#settings;
    const delay = Math.max(0, this.#lastPollAt + this.#interval - clock.now());
    this.#timer = keepAlive(
      clock.setTimeout(() => {
        this.#timer = undefined;
        void this.#poll();
      }, delay),
    );
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    this.#settings.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    const batch = this.#queue.splice(0);
    if (batch.length === 0) return;
    this.#inFlight = true;
    this.#lastPollAt = this.#settings.clock.now();
    this.stats.polls++;
    const slots = new Map<string, { cursor: TopicCursor; index: number }>();
    const cursors: TopicCursor[] = [];
    let count = 0;
    let unlimited = false;
    for (const w of batch) {
      if (w.count === 0) unlimited = true;
      count = Math.max(count, w.count);
      for (const c of w.cursors) {
        const key = `${c.afterId} ${c.topic}`;
        if (!slots.has(key)) slots.set(key, { cursor: c, index: cursors.push(c) - 1 });
      }
    }
    let found = false;
    try {
      const results = await this.#read(cursors, unlimited ? 0 : count);
      for (const w of batch) {
        const entries = w.cursors.map((c) => {
          const all = results[slots.get(`${c.afterId} ${c.topic}`)!.index] ?? [];
          return w.count > 0 ? all.slice(0, w.count) : all;
        });
        if (entries.some((e) => e.length > 0)) found = true;
        settle(w, () => w.resolve(entries));
      }
    } catch (err) {
      if (batch.length > 1 && TaskStreamError.is(err, 'BACKEND_COMMAND')) {
        // One bad cursor (a key that is not a stream) must not fail every reader: read each alone.
        await Promise.all(batch.map((w) => this.#read(w.cursors, w.count).then((r) => settle(w, () => w.resolve(r)), (e: unknown) => settle(w, () => w.reject(e)))));
      } else {
        for (const w of batch) settle(w, () => w.reject(err));
      }
    } finally {
      this.#inFlight = false;
    }
    this.#interval = found ? this.#settings.minMs : Math.min(this.#settings.maxMs, this.#interval * 2);
    this.#schedule();
  }
}

/**
 * A queued read is pending I/O the caller awaits, like a socket read: its poll timer keeps the
 * process alive even on a clock whose timers are unref'd (no read queued, no timer at all).
 */
export function keepAlive(handle: TimerHandle): TimerHandle {
  (handle as { ref?: () => unknown }).ref?.();
  return handle;
}

function settle(waiter: Waiter, action: () => void): void {
  if (waiter.done) return;
  waiter.done = true;
  waiter.detach();
  action();
}

function closed(): TaskStreamError {
  return new TaskStreamError('CLOSED', 'upstash repository is closed (read)', { details: { operation: 'read' } });
}
