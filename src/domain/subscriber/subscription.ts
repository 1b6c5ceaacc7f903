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
import { PagedIterator } from './paged-iterator.js';

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
  /** Items taken so far (a gap counts), against `plan.limit`. */
  #yielded = 0;
  /** Stopped, the limit reached or the terminal event taken: the run ends. */
  #ended = false;
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
    // `break` lands in `return` while a read may still be pending: it aborts the read first, so
    // the queued return does not wait for the blocking read to time out.
    return new PagedIterator(this.#pages(), () => this.close());
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

  /** Yields one page per read: its items are made one at a time, as the consumer takes them ({@link #page}). */
  async *#pages(): AsyncGenerator<Iterator<SubscriptionItem, void, undefined>, void, undefined> {
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
      let cursor = start.startId;
      if (start.gap !== null) {
        yield this.#page(cursor, start.gap, []);
        if (this.#ended) return;
      }
      const { pollMinMs, pollMaxMs, count, blockMs } = this.plan.tuning;
      const blocking = this.deps.repository.capabilities.blockingReads && blockMs > 0;
      const readOptions: ReadOptions = blocking ? { count, blockMs, signal } : { count, signal };
      const poll = new PollBackoff(pollMinMs, pollMaxMs);
      for (;;) {
        const startedAt = this.deps.clock.now();
        let read: readonly StreamEntry[];
        try {
          read = await this.#read(cursor, readOptions);
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
          const spun = read.length > 0 || this.deps.clock.now() - startedAt < pollMinMs;
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
        yield this.#page(cursor, gap, entries);
        if (this.#ended) return;
        // the whole page was taken: the cursor is its last entry
        cursor = this.#cursor!;
      }
    } finally {
      this.close();
    }
  }

  /**
   * The items of one read: `gap` first, then each entry after the gaps found before it. Each
   * item is decoded and checked when the consumer asks for it, so a consumer that stops mid-page
   * leaves the rest unread (and out of {@link lastSeqs}). Sets `#ended` when the run must end.
   */
  *#page(from: StreamId, gap: GapEvent | null, entries: readonly StreamEntry[]): Generator<SubscriptionItem, void, undefined> {
    let cursor = from;
    if (gap !== null) {
      yield { id: cursor, event: gap };
      if (this.#afterYield()) return;
    }
    const untilTerminal = this.plan.untilTerminal;
    for (const entry of entries) {
      const event = decodeShared(this.deps.codec, entry, decodeEntry);
      for (const hole of this.#gaps.gapsBefore(entry, event, cursor)) {
        yield { id: cursor, event: hole };
        if (this.#afterYield()) return;
      }
      cursor = entry.id;
      this.#cursor = cursor;
      yield { id: cursor, event };
      if (this.#afterYield()) return;
      if (untilTerminal && isTerminal(event)) {
        this.#ended = true;
        return;
      }
    }
  }

  /** Counts the item just taken; true (and the run ends) when stopped or the limit is reached. */
  #afterYield(): boolean {
    if (this.#controller.signal.aborted || ++this.#yielded >= this.plan.limit) this.#ended = true;
    return this.#ended;
  }

  /**
   * A page this full means the reader is behind: trimming keeps at least `maxLen` entries, so
   * entries after the cursor can only have been trimmed when a read returns a page this full.
   */
  #behindThreshold(): number {
    const { count } = this.plan.tuning;
    return this.plan.maxLenHint > 0 ? Math.min(count, this.plan.maxLenHint) : count;
  }

  /** One page read from `cursor`; a failure goes through {@link #withRetry}, a success costs no closure. */
  async #read(cursor: StreamId, options: ReadOptions): Promise<readonly StreamEntry[]> {
    const { repository } = this.deps;
    try {
      return await repository.read(this.topic, cursor, options);
    } catch (err) {
      return this.#withRetry('read', () => repository.read(this.topic, cursor, options), { error: err });
    }
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
