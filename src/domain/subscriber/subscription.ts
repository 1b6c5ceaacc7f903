import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StreamEntry, StreamRepository } from '../../ports/stream-repository.js';
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

/** What a subscription needs from its subscriber. */
export interface SubscriptionDeps {
  readonly repository: StreamRepository;
  readonly codec: EventCodec;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What one subscription was asked for, validated. */
export interface SubscriptionPlan {
  readonly taskId: string;
  readonly topic: string;
  readonly lastEventId: string | null | undefined;
  readonly signal: AbortSignal | undefined;
  readonly tuning: SubscriberTuning;
  readonly untilTerminal: boolean;
  /** Items to yield at most (a `gap` item counts); `Infinity` for no limit. */
  readonly limit: number;
  /** The last seq per message key the reader already holds (`SubscribeOptions.knownSeqs`). */
  readonly knownSeqs: Readonly<Record<string, number>>;
  /** The `maxLen` streams are published with (0: unknown or untrimmed); a hint for the trimming check. */
  readonly maxLenHint: number;
}

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
    const generator = this.#run();
    return {
      next: () => generator.next(),
      // `break` lands here while a read may still be pending: abort it first so the queued
      // return does not wait for the blocking read to time out.
      return: (value?: unknown) => {
        this.close();
        return generator.return(value as undefined);
      },
      throw: (err?: unknown) => {
        this.close();
        return generator.throw(err);
      },
    };
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

  async *#run(): AsyncGenerator<SubscriptionItem, void, undefined> {
    const signal = this.#controller.signal;
    try {
      let start: SubscriptionStart;
      try {
        start = await this.ready;
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (signal.aborted || start.ended) return;
      let yielded = 0;
      const { limit, untilTerminal, tuning } = this.plan;
      // Counts the item just yielded; true when the run must end (stopped, or the limit reached).
      const afterYield = (): boolean => signal.aborted || ++yielded >= limit;
      if (start.gap !== null) {
        yield { id: start.startId, event: start.gap };
        if (afterYield()) return;
      }
      let cursor = start.startId;
      const blocking = this.deps.repository.capabilities.blockingReads && tuning.blockMs > 0;
      const poll = new PollBackoff(tuning.pollMinMs, tuning.pollMaxMs);
      for (;;) {
        const startedAt = this.deps.clock.now();
        let read: readonly StreamEntry[];
        try {
          read = await this.#read(cursor, blocking);
        } catch (err) {
          if (signal.aborted) return;
          throw err;
        }
        if (signal.aborted) return;
        // A backend that hands back entries at or before the cursor breaks rule 3; dropping them
        // keeps "no duplicate" and avoids a hot loop re-yielding the same entry.
        // Copies only when something must go: this runs for every read of every subscriber.
        const entries = read.every((entry) => compareStreamIds(entry.id, cursor) > 0) ? read : read.filter((entry) => compareStreamIds(entry.id, cursor) > 0);
        if (entries.length < read.length) {
          this.deps.logger.warn('taskstream subscriber: backend returned entries at or before the cursor; skipped', { topic: this.topic, cursor, skipped: read.length - entries.length });
        }
        if (entries.length === 0) {
          // A "blocking" read that came back empty at once would make this loop spin: poll instead.
          const spun = read.length > 0 || this.deps.clock.now() - startedAt < tuning.pollMinMs;
          if (!blocking || spun) await sleep(this.deps.clock, poll.idle(), signal);
          else poll.active();
          continue;
        }
        poll.active();
        let gap = read.length >= this.#behindThreshold() ? await this.#gaps.trimmedBefore(cursor, entries[0]!.id) : null;
        if (gap === null && this.#retried) {
          this.#retried = false;
          gap = await this.#gaps.afterReconnect(cursor, entries[0]!.id);
        }
        if (gap !== null) {
          yield { id: cursor, event: gap };
          if (afterYield()) return;
        }
        for (const entry of entries) {
          const event = decodeShared(this.deps.codec, entry, decodeEntry);
          for (const hole of this.#gaps.gapsBefore(entry, event, cursor)) {
            yield { id: cursor, event: hole };
            if (afterYield()) return;
          }
          cursor = entry.id;
          this.#cursor = cursor;
          yield { id: entry.id, event };
          if (afterYield()) return;
          if (untilTerminal && isTerminal(event)) return;
        }
      }
    } finally {
      this.close();
    }
  }

  /**
   * A page this full means the reader is behind: trimming keeps at least `maxLen` entries, so
   * entries after the cursor can only have been trimmed when a read returns a page this full.
   */
  #behindThreshold(): number {
    const { count } = this.plan.tuning;
    return this.plan.maxLenHint > 0 ? Math.min(count, this.plan.maxLenHint) : count;
  }

  #read(cursor: StreamId, blocking: boolean): Promise<readonly StreamEntry[]> {
    const { tuning, topic } = this.plan;
    const signal = this.#controller.signal;
    const options = blocking ? { count: tuning.count, blockMs: tuning.blockMs, signal } : { count: tuning.count, signal };
    return this.#withRetry('read', () => this.deps.repository.read(topic, cursor, options));
  }

  /** Runs a backend call, retrying transient failures with capped exponential backoff on the clock. */
  async #withRetry<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const { maxRetries, retryBaseMs, retryMaxMs } = this.plan.tuning;
    const signal = this.#controller.signal;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
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
