import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { ReadOptions, StreamEntry, StreamRepository } from '../../ports/stream-repository.js';
import type { EventCodec } from '../codec/event-codec.js';
import { TaskStreamError } from '../errors.js';
import type { GapEvent, SubscriptionItem } from '../events.js';
import { compareStreamIds, previousStreamId, type StreamId } from '../stream-id.js';
import { sleep } from '../sleep.js';
import { PollBackoff, exhausted } from './backoff.js';
import { backoffDelay, isRetryable } from '../retry.js';
import type { SubscriberTuning } from './options.js';
import { checkResumePoint, parseResumePoint } from '../cursor.js';
import { decodeEntry, isTerminal } from './decode-entry.js';
import { GapDetector } from './gap-detector.js';
import type { SubscriptionStart } from './start-point.js';
import { decodeShared } from './shared-decode.js';
import { SubscriptionIterator } from './subscription-iterator.js';

import type { SubscriptionDeps, SubscriptionPlan } from './subscription-plan.js';

export type { SubscriptionDeps, SubscriptionPlan };

/**
 * One reader of one task stream. Await {@link Subscription.ready} to learn where it starts (the
 * SSE layer sends `connected` then), then iterate it once. It never holds `$`: it reads after
 * the tail snapshot or the resume point, and after that only after ids it has yielded.
 */
export interface Subscription extends AsyncIterable<SubscriptionItem> {
  readonly taskId: string;
  readonly topic: string;
  /**
   * Resolves once the start point is fixed (tail snapshot taken, or resume point checked; with
   * `untilTerminal`, also whether the task already ended there: {@link SubscriptionStart.ended}).
   * Rejects with `INVALID_RESUME_POINT` for a bad `lastEventId`, with the backend's error when
   * it stayed unreachable, or with `ABORTED` when stopped first. Iterating throws the same error.
   */
  readonly ready: Promise<SubscriptionStart>;
  /** The id of the last item yielded, or the start id before any; `undefined` until ready. */
  readonly cursor: StreamId | undefined;
  /** Stops the subscription: ends the pending read; the iterator returns. Deletes nothing. Idempotent. */
  close(): void;
  /**
   * The last `seq` read per message still in flight (finished messages are dropped), keyed by
   * `messageKeyOf`: pass it as `knownSeqs` when resuming, for exact `seq` gaps after a reset.
   */
  lastSeqs(): Record<string, number>;
}

export class StreamSubscription implements Subscription {
  readonly taskId: string;
  readonly topic: string;
  readonly ready: Promise<SubscriptionStart>;
  #cursor: StreamId | undefined;
  #iterated = false;
  readonly #gaps: GapDetector;
  /** A backend call failed and was retried since the last position check (a reconnect, maybe to a restarted server). */
  #retried = false;
  readonly #controller = new AbortController();
  readonly #unlink: () => void;

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly plan: SubscriptionPlan,
  ) {
    this.taskId = plan.taskId;
    this.topic = plan.topic;
    const external = plan.signal;
    const onAbort = (): void => this.close();
    if (external?.aborted) this.#controller.abort();
    else external?.addEventListener('abort', onAbort);
    this.#unlink = () => external?.removeEventListener('abort', onAbort);
    this.#gaps = new GapDetector(deps.codec, plan.knownSeqs, {
      info: () => this.#withRetry('info', () => this.deps.repository.info(this.topic)),
      infoOnce: () => this.deps.repository.info(this.topic),
      entryAtOrAfter: (id) => this.#entryAtOrAfter(id),
      warn: (message, error) => this.deps.logger.warn(`taskstream subscriber: ${message}`, { topic: this.topic, error: error instanceof Error ? error.message : String(error) }),
    });
    this.ready = this.#start();
    // The caller may only iterate; the iterator rethrows, so an unobserved `ready` is not an error.
    this.ready.catch(() => undefined);
  }

  get cursor(): StreamId | undefined {
    return this.#cursor;
  }

  lastSeqs(): Record<string, number> {
    return this.#gaps.lastSeqs();
  }

  close(): void {
    this.#controller.abort(); // a no-op once aborted
    this.#unlink();
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionItem> {
    if (this.#iterated) {
      throw new TaskStreamError('INVALID_ARGUMENT', 'a subscription can be iterated only once; open another one');
    }
    this.#iterated = true;
    // `break` lands in `return` while a read may still be pending: closing aborts the read.
    return new SubscriptionIterator({
      deps: this.deps,
      plan: this.plan,
      ready: this.ready,
      signal: this.#controller.signal,
      gaps: this.#gaps,
      retryRead: (error, cursor, options) => this.#withRetry('read', () => this.deps.repository.read(this.topic, cursor, options), { error }),
      takeRetried: () => {
        const retried = this.#retried;
        this.#retried = false;
        return retried;
      },
      moved: (id) => {
        this.#cursor = id;
      },
      close: () => this.close(),
    });
  }

  async #start(): Promise<SubscriptionStart> {
    const { topic } = this.plan;
    const resumeId = parseResumePoint(this.plan.lastEventId);
    if (resumeId === undefined) {
      const tail = await this.#withRetry('tailId', () => this.deps.repository.tailId(topic));
      this.#gaps.startAtTail(tail);
      this.#cursor = tail;
      return { topic, startId: tail, resumed: false, gap: null, ended: false };
    }
    const info = await this.#withRetry('info', () => this.deps.repository.info(topic));
    const { gap: trimmed } = checkResumePoint(resumeId, info);
    // Entries after a trimmed resume point are gone: nothing more to learn from the entry at it.
    const found = trimmed === undefined ? await this.#gaps.checkResume(resumeId, info) : { gap: trimmed, event: undefined };
    this.#retried = false;
    // A client that was sent the terminal event reconnects with its id (SSE `end` frames carry
    // none); without this check it would wait for entries the task will never write.
    const ended = this.plan.untilTerminal && found.event !== undefined && isTerminal(found.event);
    this.#cursor = resumeId;
    return { topic, startId: resumeId, resumed: true, gap: found.gap, ended };
  }

  /** The entry at `id`, or the first one after it: one non-blocking read of one entry, from just before it. */
  async #entryAtOrAfter(id: StreamId): Promise<StreamEntry | undefined> {
    const before = previousStreamId(id);
    if (before === undefined) return undefined;
    const signal = this.#controller.signal;
    const [entry] = await this.#withRetry('read', () => this.deps.repository.read(this.plan.topic, before, { count: 1, signal }));
    return entry;
  }

  /**
   * Runs a backend call, retrying transient failures with capped exponential backoff on the clock.
   * With `failed`, the first attempt was already made (by the caller) and failed with its error.
   */
  async #withRetry<T>(operation: string, call: () => Promise<T>, failed: { error: unknown } | undefined = undefined): Promise<T> {
    const { maxRetries, retryBaseMs, retryMaxMs } = this.plan.tuning;
    const signal = this.#controller.signal;
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt > 1 || failed === undefined) return await call();
        throw failed.error;
      } catch (err) {
        if (signal.aborted) throw new TaskStreamError('ABORTED', `subscription to ${this.plan.topic} stopped`, { cause: err });
        this.#retried = true;
        if (!isRetryable(err) || attempt > maxRetries) throw exhausted(err, attempt);
        const delayMs = backoffDelay({ initialMs: retryBaseMs, maxMs: retryMaxMs, factor: 2, jitter: 'none' }, attempt);
        this.deps.logger.warn('taskstream subscriber: backend call failed, retrying', {
          operation,
          topic: this.plan.topic,
          attempt,
          delayMs,
          error: err instanceof Error ? err.message : String(err),
        });
        await sleep(this.deps.clock, delayMs, signal);
        if (signal.aborted) throw new TaskStreamError('ABORTED', `subscription to ${this.plan.topic} stopped`, { cause: err });
      }
    }
  }
}
