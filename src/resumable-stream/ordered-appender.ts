import type { Clock } from '../ports/clock.js';
import type { EntryFields, StreamRepository } from '../ports/stream-repository.js';
import { backoffDelay, isRetryable, type Backoff } from '../domain/retry.js';
import { sleep } from '../domain/sleep.js';
import { compareStreamIds, type StreamId } from '../domain/stream-id.js';
import { encodeRecord, type StreamRecord } from './entries.js';

/** The records a writer numbers (the `open` and `stop` entries are not the writer's sequence). */
export type SequencedRecord = Extract<StreamRecord, { kind: 'chunk' | 'beat' | 'end' }>;

/** What an appender needs. */
export interface AppenderDeps {
  readonly repository: StreamRepository;
  readonly clock: Clock;
  readonly topic: string;
  readonly maxLen: number;
  readonly ttlSeconds: number;
  /** Called when a slot frees or a recovery ends: the writer may send what waits. */
  readonly onReady: () => void;
  /** Called once, when appends failed for good (the appender then drops everything). */
  readonly onBroken: (cause: unknown) => void;
}

/** Appends in flight per stream at most (each chunk leaves at once up to here; beyond it chunks wait and leave together). */
export const MAX_IN_FLIGHT = 4;
const MAX_ATTEMPTS = 5;
const RESEND_BACKOFF: Backoff = { initialMs: 50, maxMs: 2_000, factor: 2, jitter: 'none' };

interface Batch {
  readonly entries: readonly EntryFields[];
  /** Ids the backend gave the batch's first and last entry, once it landed. */
  landed?: { readonly first: StreamId | undefined; readonly last: StreamId | undefined };
}

/**
 * Appends one writer's records to its stream in order with several appends in flight, and keeps
 * readers exact. Every record carries the writer's sequence number, and readers accept only the
 * next one: a lower number is a second copy, a higher one lies beyond a gap. (A bounded reorder
 * buffer in every reader was the alternative; this keeps readers to one counter and puts the
 * rare repair on the one writer.) The writer closes gaps itself: when an append fails, or lands
 * before an append sent earlier (the ids it got say so, on a backend whose concurrent appends
 * can overtake each other, such as REST), everything from the first record not yet
 * acknowledged in order is re-sent as one append, and results of appends sent before that
 * moment are ignored. Readers therefore always find every number, in order, after the copies
 * they dropped. On ioredis appends share one connection, keep their order and leave in one
 * socket write per tick (auto-pipelining), so gaps only follow failures.
 */
export class OrderedAppender {
  readonly #deps: AppenderDeps;
  /** Batches of this epoch not yet acknowledged in order, oldest first. */
  #outstanding: Batch[] = [];
  #nextSeq = 0;
  #epoch = 0;
  #inFlight = 0;
  /** Drops to 1 once the backend let a later append overtake an earlier one. */
  #window = MAX_IN_FLIGHT;
  #lastLandedId: StreamId | undefined;
  #failures = 0;
  #recovering = false;
  #broken = false;
  #ttlRenewedAt: number;
  #idle: (() => void)[] = [];
  /** When the last append landed (the writer's heartbeat is timed from it). */
  lastLandedAt: number;

  constructor(deps: AppenderDeps, openedAt: number) {
    this.#deps = deps;
    this.lastLandedAt = openedAt;
    this.#ttlRenewedAt = openedAt;
  }

  /** True when an append may leave now. */
  get ready(): boolean {
    return !this.#broken && !this.#recovering && this.#inFlight < this.#window;
  }

  /** Nothing outstanding (everything sent landed, in order) or broken. */
  get idle(): boolean {
    return this.#broken || (this.#outstanding.length === 0 && !this.#recovering);
  }

  get broken(): boolean {
    return this.#broken;
  }

  /** Numbers `records` and appends them (after what was sent before); while recovering they wait for the re-send. */
  send(records: readonly SequencedRecord[]): void {
    if (this.#broken || records.length === 0) return;
    const batch: Batch = { entries: records.map((record) => encodeRecord({ ...record, seq: this.#nextSeq++ })) };
    this.#outstanding.push(batch);
    if (!this.#recovering) this.#launch(batch, records.some((r) => r.kind === 'end'));
  }

  /** Resolves once {@link idle}. */
  whenIdle(): Promise<void> {
    return this.idle ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  /** `renewNow`: the end, or a re-send (which may carry a renewal whose append failed). */
  #launch(batch: Batch, renewNow: boolean): void {
    const { repository, clock, topic, maxLen, ttlSeconds } = this.#deps;
    const epoch = this.#epoch;
    const renew = ttlSeconds > 0 && (renewNow || clock.now() - this.#ttlRenewedAt >= (ttlSeconds * 1000) / 4);
    if (renew) this.#ttlRenewedAt = clock.now();
    this.#inFlight++;
    let sent: Promise<{ readonly ids: readonly StreamId[] }>;
    try {
      sent = repository.append({ topic, entries: batch.entries, maxLen, ttlSeconds: renew ? ttlSeconds : 0 });
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      (result) => {
        if (epoch !== this.#epoch) return;
        this.#inFlight--;
        batch.landed = { first: result.ids[0], last: result.ids.at(-1) };
        this.#failures = 0;
        this.lastLandedAt = clock.now();
        this.#acknowledge();
      },
      (err: unknown) => {
        if (epoch !== this.#epoch) return;
        this.#inFlight--;
        this.#recover(err);
      },
    );
  }

  /** Drops the batches that landed in order; a batch that landed before an earlier one is a gap to close. */
  #acknowledge(): void {
    while (this.#outstanding[0]?.landed !== undefined) {
      const { first, last } = this.#outstanding[0].landed;
      if (first !== undefined && this.#lastLandedId !== undefined && compareStreamIds(first, this.#lastLandedId) < 0) {
        this.#window = 1;
        return this.#recover(undefined);
      }
      this.#lastLandedId = last ?? this.#lastLandedId;
      this.#outstanding.shift();
    }
    this.#settled();
  }

  /** Ignores what is in flight and re-sends everything outstanding as one append, after a backoff when an append failed. */
  #recover(cause: unknown): void {
    this.#epoch++;
    this.#inFlight = 0;
    if (cause !== undefined) {
      this.#failures++;
      if (!isRetryable(cause) || this.#failures >= MAX_ATTEMPTS) return this.#break(cause);
    }
    this.#recovering = true;
    const backoff = cause === undefined ? Promise.resolve() : sleep(this.#deps.clock, backoffDelay(RESEND_BACKOFF, this.#failures));
    void backoff.then(() => {
      this.#recovering = false;
      if (this.#broken) return;
      const entries = this.#outstanding.flatMap((batch) => batch.entries);
      this.#outstanding = [];
      if (entries.length > 0) {
        const resend: Batch = { entries };
        this.#outstanding.push(resend);
        this.#launch(resend, true);
      }
      this.#settled();
    });
  }

  #break(cause: unknown): void {
    this.#broken = true;
    this.#outstanding = [];
    this.#deps.onBroken(cause);
    this.#settled();
  }

  #settled(): void {
    if (this.idle) for (const resolve of this.#idle.splice(0)) resolve();
    if (this.ready) this.#deps.onReady();
  }
}
