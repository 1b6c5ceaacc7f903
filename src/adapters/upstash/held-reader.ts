import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StreamEntry, TopicCursor } from '../../ports/stream-repository.js';
import { TaskStreamError } from '../../domain/errors.js';
import { backoffDelay, isRetryable, type Backoff } from '../../domain/retry.js';
import { sleep } from '../../domain/sleep.js';
import { closedError } from './errors.js';
import type { BatchRead } from './read-poller.js';
import { covers, planRound, roundAnswer, shareOf, type RoundPlan } from './held-round.js';

/** Waits between failed held reads: 25 ms doubling to 2 s, for as long as the failure lasts. */
const HELD_RETRY_BACKOFF: Backoff = { initialMs: 25, maxMs: 2_000, factor: 2, jitter: 'none' };
/** The pause after an early empty answer: the poller's, 25 ms doubling to 1 s. */
const EARLY_EMPTY_PAUSE: Backoff = { initialMs: 25, maxMs: 1_000, factor: 2, jitter: 'none' };

/**
 * One held `XREAD … BLOCK blockMs` over one cursor per topic (one HTTP request); entry lists in
 * cursor order; `count` 0 = no limit. Rejects with a `TaskStreamError`; `signal` aborts it.
 */
export type HeldRead = (cursors: readonly TopicCursor[], count: number, blockMs: number, signal: AbortSignal) => Promise<StreamEntry[][]>;

/** Where waiters go once the server has refused a blocking read (the poller), with their own signal. */
export type ReadRedirect = (cursors: readonly TopicCursor[], count: number, signal: AbortSignal | undefined) => Promise<StreamEntry[][]>;

/** Settings of {@link HeldReader}. */
export interface HeldReaderSettings {
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  /** Server-side block time of each held request. */
  readonly blockMs: number;
  /** A held request still unanswered after this long is aborted and sent again from the same cursors. */
  readonly requestTimeoutMs: number;
  /**
   * The server answered a blocking read with an error, and the same read without `BLOCK`
   * succeeded: it does not serve blocking commands. Returns where the waiters go from now on
   * (fallback to polling), or `undefined` to fail them with `error`.
   */
  readonly onRefused: (error: TaskStreamError) => ReadRedirect | undefined;
}

/** What the reader has done; tests and the benchmark read it. */
export interface HeldReaderStats {
  /** Held requests sent. */
  requests: number;
  /** Requests aborted because the set of topics or cursors changed (or nobody waited any more). */
  interrupts: number;
  /** Requests that hit the request timeout and were sent again from the same cursors. */
  timeouts: number;
  /** Requests that failed transiently (network, 5xx) and were sent again from the same cursors. */
  failures: number;
}

interface Waiter {
  readonly cursors: readonly TopicCursor[];
  readonly count: number;
  readonly signal: AbortSignal | undefined;
  done: boolean;
  readonly finish: (result: StreamEntry[][] | Error) => void;
}

interface Round {
  readonly plan: RoundPlan;
  readonly controller: AbortController;
}

const TIMEOUT = Symbol('held request timeout');
const INTERRUPT = Symbol('held request interrupted');
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Serves every blocking read of a repository with ONE held request at a time, like the ioredis
 * multiplexed reader: each round is one `XREAD COUNT c BLOCK ms STREAMS k1..kn id1..idn` where
 * each topic's id is the lowest cursor any waiter holds for it; each waiter then gets the entries
 * after its own cursors. A waiter the in-flight round does not cover (a new topic, an older
 * cursor) aborts that request and a new round is planned. Whatever an aborted request brings
 * back is discarded: the waiters still hold their cursors, so the next round reads the same
 * entries again (nothing lost, nothing twice). The same holds for a request that times out or
 * fails on the network: it is sent again from the same cursors, with a growing pause.
 *
 * With no waiter there is no request and no timer: the last waiter leaving aborts the round.
 */
export class HeldReader {
  readonly stats: HeldReaderStats = { requests: 0, interrupts: 0, timeouts: 0, failures: 0 };
  readonly #held: HeldRead;
  readonly #probe: BatchRead;
  readonly #settings: HeldReaderSettings;
  readonly #waiters = new Set<Waiter>();
  readonly #closing = new AbortController();
  #round: Round | null = null;
  #running = false;
  #failures = 0;
  #earlyEmpty = 0;
  #redirect: ReadRedirect | undefined;

  /** `probe` is a non-blocking read, used only to diagnose a refused blocking read. */
  constructor(held: HeldRead, probe: BatchRead, settings: HeldReaderSettings) {
    this.#held = held;
    this.#probe = probe;
    this.#settings = settings;
  }

  /** Reads waiting for entries. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Whether a held request is in flight. */
  get holding(): boolean {
    return this.#round !== null;
  }

  /** Entries after each cursor (at most `count` each, 0 = no limit), waiting up to `blockMs` for the first; empty lists on timeout or abort. */
  read(cursors: readonly TopicCursor[], count: number, blockMs: number, signal?: AbortSignal): Promise<StreamEntry[][]> {
    if (this.#closing.signal.aborted) return Promise.reject(closedError('read'));
    if (this.#redirect !== undefined) return this.#redirect(cursors, count, signal);
    const empty = (): StreamEntry[][] => cursors.map(() => []);
    if (signal?.aborted || cursors.length === 0) return Promise.resolve(empty());
    const { clock } = this.#settings;
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const onAbort = (): void => finish(empty());
      const finish = (result: StreamEntry[][] | Error): void => {
        if (waiter.done) return;
        waiter.done = true;
        this.#waiters.delete(waiter);
        if (timer !== undefined) clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (result instanceof Error) reject(result);
        else resolve(result);
        if (this.#waiters.size === 0) void this.#abortWhenStillIdle();
      };
      const waiter: Waiter = { cursors, count, signal, done: false, finish };
      this.#waiters.add(waiter);
      timer = clock.setTimeout(() => finish(empty()), blockMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#onWaiterAdded(waiter);
    });
  }

  /** Rejects every waiter with `CLOSED` and aborts the held request. Idempotent. */
  close(): void {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    this.#round?.controller.abort(INTERRUPT);
    for (const waiter of [...this.#waiters]) waiter.finish(closedError('read'));
  }

  #onWaiterAdded(waiter: Waiter): void {
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(() => void this.#loop());
      return;
    }
    const round = this.#round;
    if (round !== null && !covers(round.plan, waiter)) round.controller.abort(INTERRUPT);
  }

  /** The last waiter left: unless another arrives in this turn (a reader coming back), stop holding. */
  async #abortWhenStillIdle(): Promise<void> {
    await nextTurn();
    if (this.#waiters.size === 0) this.#round?.controller.abort(INTERRUPT);
  }

  async #loop(): Promise<void> {
    try {
      while (!this.#closing.signal.aborted && this.#waiters.size > 0) {
        if (this.#redirect !== undefined) {
          this.#handOver(this.#redirect);
          return;
        }
        const plan = planRound(this.#waiters);
        const round: Round = { plan, controller: new AbortController() };
        const { clock, blockMs, requestTimeoutMs } = this.#settings;
        const timer = clock.setTimeout(() => round.controller.abort(TIMEOUT), requestTimeoutMs);
        const cursors = [...plan.cursors].map(([topic, afterId]) => ({ topic, afterId }));
        const startedAt = clock.now();
        this.#round = round;
        this.stats.requests++;
        let results: StreamEntry[][] | undefined;
        let failure: unknown;
        try {
          results = await this.#held(cursors, plan.count, blockMs, round.controller.signal);
        } catch (err) {
          failure = err;
        }
        clock.clearTimeout(timer);
        this.#round = null;
        if (this.#closing.signal.aborted) return;
        const reason: unknown = round.controller.signal.aborted ? round.controller.signal.reason : undefined;
        if (reason === INTERRUPT) {
          // Discard what it may have returned: the waiters keep their cursors and read it again.
          this.stats.interrupts++;
          await nextTurn();
        } else if (reason === TIMEOUT || (TaskStreamError.is(failure) && isRetryable(failure))) {
          if (reason === TIMEOUT) this.stats.timeouts++;
          else this.stats.failures++;
          await this.#pauseAfterFailure(reason === TIMEOUT ? `no answer within ${requestTimeoutMs} ms` : (failure as Error).message);
        } else if (failure !== undefined) {
          await this.#onRefusal(failure, cursors, plan.count);
        } else {
          this.#failures = 0;
          // Let the readers just served come back before the next round, so it covers them.
          if (this.#dispatch(cursors, results!)) {
            this.#earlyEmpty = 0;
            await nextTurn();
          } else if (results!.every((l) => l.length === 0) && clock.now() - startedAt < Math.min(blockMs / 2, 1_000)) {
            await this.#pauseAfterEarlyEmpty();
          }
        }
      }
    } finally {
      this.#running = false;
      if (!this.#closing.signal.aborted && this.#waiters.size > 0) {
        this.#running = true;
        queueMicrotask(() => void this.#loop());
      }
    }
  }

  /** Hands each waiter its share of the round (see {@link shareOf}); true when anyone was served. */
  #dispatch(cursors: readonly TopicCursor[], results: readonly StreamEntry[][]): boolean {
    const answer = roundAnswer(cursors, results);
    if (answer.size === 0) return false;
    let served = false;
    for (const waiter of [...this.#waiters]) {
      const share = shareOf(answer, waiter);
      if (share === undefined) continue;
      served = true;
      waiter.finish(share);
    }
    return served;
  }

  async #pauseAfterFailure(message: string): Promise<void> {
    this.#failures++;
    const delayMs = backoffDelay(HELD_RETRY_BACKOFF, this.#failures);
    this.#settings.logger?.warn('taskstream upstash: held read failed; sending it again from the same cursors', {
      error: message,
      attempt: this.#failures,
      delayMs,
    });
    await sleep(this.#settings.clock, delayMs, this.#closing.signal);
  }

  /**
   * The server answered a held read with nothing long before its block time: it does not block
   * (or ignores `BLOCK`). Pause like the poller does (25 ms doubling to 1 s), so such a server
   * gets polled instead of flooded.
   */
  async #pauseAfterEarlyEmpty(): Promise<void> {
    this.#earlyEmpty++;
    if (this.#earlyEmpty === 3) {
      this.#settings.logger?.warn('taskstream upstash: held reads come back empty at once; the server may ignore BLOCK', { blockMs: this.#settings.blockMs });
    }
    await sleep(this.#settings.clock, backoffDelay(EARLY_EMPTY_PAUSE, this.#earlyEmpty), this.#closing.signal);
  }

  /**
   * A held read answered with an error (not a network failure). Either the server refuses
   * blocking commands (the same read without `BLOCK` works), or a cursor is bad (a topic that
   * is not a stream): then each waiter is read alone without blocking, so only the waiters at
   * fault get the error, and the others get entries or keep waiting.
   */
  async #onRefusal(failure: unknown, cursors: readonly TopicCursor[], count: number): Promise<void> {
    const error = failure instanceof TaskStreamError ? failure : new TaskStreamError('BACKEND_COMMAND', String(failure), { cause: failure });
    if (TaskStreamError.is(error, 'BACKEND_COMMAND')) {
      const probed = await this.#probe(cursors, count).then(
        () => true,
        () => false,
      );
      if (probed) {
        const redirect = this.#settings.onRefused(error);
        if (redirect === undefined) {
          for (const waiter of [...this.#waiters]) waiter.finish(error);
        } else {
          this.#redirect = redirect;
        }
        return;
      }
      await Promise.all(
        [...this.#waiters].map((waiter) =>
          this.#probe(waiter.cursors, waiter.count).then(
            (lists) => {
              if (lists.some((l) => l.length > 0)) waiter.finish(lists);
            },
            (err: unknown) => waiter.finish(err instanceof Error ? err : error),
          ),
        ),
      );
      return;
    }
    for (const waiter of [...this.#waiters]) waiter.finish(error);
  }

  /** Moves every waiter to the fallback (each still ends at its own block time or signal). */
  #handOver(redirect: ReadRedirect): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) {
      redirect(waiter.cursors, waiter.count, waiter.signal).then(
        (lists) => waiter.finish(lists),
        (err: unknown) => waiter.finish(err instanceof Error ? err : new Error(String(err))),
      );
    }
  }
}
