import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { AppendMessage, EntryFields, StreamRepository } from '../../ports/stream-repository.js';
import { TaskStreamError } from '../errors.js';
import { backoffDelay, isRetryable } from '../retry.js';

/** How a failed append is retried. Delays grow `baseDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`, timed by the Clock. */
export interface RetryPolicy {
  /** Attempts per batch, the first included. @default 5 */
  readonly maxAttempts: number;
  /** Delay before the first retry, in ms. @default 50 */
  readonly baseDelayMs: number;
  /** Longest delay between two attempts, in ms. @default 2000 */
  readonly maxDelayMs: number;
}

/** Default {@link RetryPolicy}: 5 attempts over about 750 ms. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 2_000 });

/** One encoded entry with its producer sequence number. */
export interface QueuedEntry {
  readonly seq: number;
  readonly fields: EntryFields;
  /** True for the message's terminal (`done`), always the last entry the queue gets. */
  readonly terminal?: boolean;
}

/** Options of a {@link PublishQueue}. */
export interface PublishQueueOptions {
  readonly repository: StreamRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly topic: string;
  /** Idempotency producer id: unique per topic, stable for the queue's life. */
  readonly producerId: string;
  /** The message key sent with every append (port rule 10), when the queue carries one message. */
  readonly messageKey?: string;
  readonly maxLen: number;
  readonly ttlSeconds: number;
  readonly retry: RetryPolicy;
  /** Most entries per append (1 gives one append per entry). */
  readonly maxBatch: number;
  /** Called when nothing is in flight and nothing is pending. */
  readonly onIdle: () => void;
  /** Called once when the queue gives up (the error is `PUBLISH_FAILED`, or `AFTER_TERMINAL` when another producer ended the message). */
  readonly onFailure: (error: TaskStreamError) => void;
}

interface Waiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (error: TaskStreamError) => void;
}

/**
 * The ordered append pipeline of one producer: entries go to the repository in sequence order,
 * with at most one append in flight, so stream order is enqueue order. A failed append is
 * retried with the same idempotency sequences (a retry after an ambiguous failure cannot
 * duplicate); when the retries run out the queue fails for good: it keeps its entries (they are
 * counted in the error, never silently dropped), rejects every waiter and stops appending, since
 * appending later entries would publish a message with a hole in it.
 */
export class PublishQueue {
  readonly #options: PublishQueueOptions;
  #pending: QueuedEntry[] = [];
  #inFlight = false;
  #appendedThrough = -1;
  #waiters: Waiter[] = [];
  #failure: TaskStreamError | undefined;
  #retryTimer: TimerHandle | undefined;
  /** The batch of the append in flight (or waiting for its retry), and its attempt. */
  #batch: readonly QueuedEntry[] = [];
  #attempt = 0;
  /** The `message` of every append but the terminal's, and of the terminal's; shared, since appends do not keep them. */
  readonly #message: AppendMessage | undefined;
  readonly #terminalMessage: AppendMessage | undefined;

  constructor(options: PublishQueueOptions) {
    this.#options = options;
    const key = options.messageKey;
    this.#message = key === undefined ? undefined : Object.freeze({ key, terminal: false });
    this.#terminalMessage = key === undefined ? undefined : Object.freeze({ key, terminal: true });
  }

  /** Queues entries (sequence numbers must keep growing) and starts an append when none is in flight. */
  enqueue(entries: readonly QueuedEntry[]): void {
    for (let i = 0; i < entries.length; i++) this.#pending.push(entries[i]!);
    this.#pump();
  }

  /** Resolves when every entry up to `seq` is appended; rejects with the failure if the queue fails first. */
  waitFor(seq: number): Promise<void> {
    if (this.#appendedThrough >= seq) return Promise.resolve();
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiters.push({ seq, resolve, reject }));
  }

  /** Gives up now with `error` (for example an entry the codec could not encode). */
  fail(error: TaskStreamError): void {
    if (this.#failure !== undefined) return;
    if (this.#retryTimer !== undefined) this.#options.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#failure = error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    this.#options.onFailure(error);
  }

  /** True when new entries would be sent at once: nothing in flight or pending, or the queue has failed (it then just keeps them). */
  get idle(): boolean {
    // Pending entries include the batch in flight, so no pending entry means nothing in flight.
    return this.#failure !== undefined || this.#pending.length === 0;
  }

  /** Entries not yet appended (including the batch in flight). */
  get pendingCount(): number {
    return this.#pending.length;
  }

  #pump(): void {
    if (this.#inFlight || this.#failure !== undefined || this.#pending.length === 0) return;
    this.#inFlight = true;
    this.#send(this.#pending.slice(0, this.#options.maxBatch), 1);
  }

  // Not async, and no closures per call: this runs once per append, and the batch in flight is held in fields.
  #send(batch: readonly QueuedEntry[], attempt: number): void {
    const { repository, topic, producerId, maxLen, ttlSeconds } = this.#options;
    const entries = new Array<QueuedEntry['fields']>(batch.length);
    const seqs = new Array<number>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      entries[i] = batch[i]!.fields;
      seqs[i] = batch[i]!.seq;
    }
    this.#batch = batch;
    this.#attempt = attempt;
    const idempotency = { producerId, seqs };
    const message = batch[batch.length - 1]!.terminal === true ? this.#terminalMessage : this.#message;
    let sent: Promise<unknown>;
    try {
      sent = repository.append(message === undefined ? { topic, entries, maxLen, ttlSeconds, idempotency } : { topic, entries, maxLen, ttlSeconds, idempotency, message });
    } catch (err) {
      this.#onFailed(err);
      return;
    }
    sent.then(this.#onAppended, this.#onFailed);
  }

  readonly #onFailed = (err: unknown): void => {
    if (this.#failure !== undefined) return;
    const { topic, producerId, messageKey, retry, logger, clock } = this.#options;
    const batch = this.#batch;
    const attempt = this.#attempt;
    if (TaskStreamError.is(err, 'AFTER_TERMINAL')) {
      // Another producer (a second process, a retried job) already ended this message: the store refused the batch whole.
      this.fail(
        new TaskStreamError('AFTER_TERMINAL', `append to ${topic} refused: message ${messageKey ?? '?'} already has its done from another producer; ${this.#pending.length} entries not written`, {
          cause: err,
          details: { topic, producerId, message: messageKey, unsent: this.#pending.length },
        }),
      );
      return;
    }
    if (attempt >= retry.maxAttempts || !isRetryable(err)) {
      this.fail(
        new TaskStreamError('PUBLISH_FAILED', `append to ${topic} failed after ${attempt} attempt(s): ${errorMessage(err)}`, {
          cause: err,
          details: { topic, producerId, attempts: attempt, unsent: this.#pending.length },
        }),
      );
      return;
    }
    const delay = backoffDelay({ initialMs: retry.baseDelayMs, maxMs: retry.maxDelayMs, factor: 2, jitter: 'none' }, attempt);
    logger.warn('taskstream: append failed, retrying', { topic, producerId, attempt, delayMs: delay, error: errorMessage(err) });
    this.#retryTimer = clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#send(batch, attempt + 1);
    }, delay);
  };

  readonly #onAppended = (): void => {
    if (this.#failure !== undefined) return;
    const batch = this.#batch;
    this.#pending.splice(0, batch.length);
    this.#appendedThrough = batch[batch.length - 1]!.seq;
    this.#inFlight = false;
    if (this.#waiters.length > 0) this.#resolveWaiters();
    if (this.#pending.length === 0) this.#options.onIdle();
    this.#pump();
  };

  #resolveWaiters(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (w.seq > this.#appendedThrough) return true;
      w.resolve();
      return false;
    });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
