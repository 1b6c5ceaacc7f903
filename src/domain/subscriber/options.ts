import { requireIntegerArgument, requireNonNegativeInteger } from '../validation.js';
import { TaskStreamError } from '../errors.js';

/** Timing and retry defaults of a subscriber; each can be overridden per subscription where noted. */
export interface SubscriberTuning {
  /** How long one blocking read waits server-side, in ms (backends with `blockingReads`). 0 polls instead. @default 5000 */
  readonly blockMs: number;
  /** Entries fetched per read. @default 100 */
  readonly count: number;
  /** Poll interval right after entries arrived, for backends that cannot block, in ms. @default 25 */
  readonly pollMinMs: number;
  /** Poll interval an idle subscription backs off to (doubling from `pollMinMs`), in ms. @default 1000 */
  readonly pollMaxMs: number;
  /** Consecutive transient read failures retried before the error is thrown from the iterator. @default 8 */
  readonly maxRetries: number;
  /** First retry delay after a transient failure, in ms; doubles per attempt. @default 100 */
  readonly retryBaseMs: number;
  /** Cap on the retry delay, in ms. @default 5000 */
  readonly retryMaxMs: number;
}

/** Production defaults of {@link SubscriberTuning}. */
export const DEFAULT_SUBSCRIBER_TUNING: SubscriberTuning = Object.freeze({
  blockMs: 5_000,
  count: 100,
  pollMinMs: 25,
  pollMaxMs: 1_000,
  maxRetries: 8,
  retryBaseMs: 100,
  retryMaxMs: 5_000,
});

/** Options of one subscription. */
export interface SubscribeOptions {
  /**
   * Resume point (an SSE `Last-Event-ID`): only entries after it are yielded. Absent, `null` or
   * empty: start after the stream's newest entry at the time of the call (a tail snapshot).
   */
  readonly lastEventId?: string | null;
  /** Stops the subscription: the pending read is ended and the iterator returns without error. */
  readonly signal?: AbortSignal;
  /** Overrides {@link SubscriberTuning.blockMs}. */
  readonly blockMs?: number;
  /** Overrides {@link SubscriberTuning.count} (entries per read). */
  readonly count?: number;
  /** Overrides {@link SubscriberTuning.pollMinMs}. */
  readonly pollMinMs?: number;
  /** Overrides {@link SubscriberTuning.pollMaxMs}. */
  readonly pollMaxMs?: number;
  /** Overrides {@link SubscriberTuning.maxRetries}; 0 when the caller runs its own retry loop (the SSE edge does). */
  readonly maxRetries?: number;
  /**
   * Return after yielding a `task_updated` event with a terminal status (`TERMINAL_TASK_STATUSES`).
   * When the entry at `lastEventId` is such an event (the reader already got it), the start says
   * `ended: true` and the iterator returns at once (the subscriber reads the entry at a resume point
   * anyway, to check that the stream still holds it: see `checkResumeEntry`).
   * @default false
   */
  readonly untilTerminal?: boolean;
  /** Return after yielding this many items (a `gap` item counts). Absent: no limit. */
  readonly limit?: number;
  /**
   * The last `seq` the reader holds per message key (what `subscription.lastSeqs()` returned when
   * the previous subscription stopped). With it, a `seq` gap after a `reset` names exactly the
   * numbers the reader lacks (`exact: true`) instead of everything from 0.
   */
  readonly knownSeqs?: Readonly<Record<string, number>>;
}

/** Validates `knownSeqs`; `INVALID_ARGUMENT` unless it maps message keys to integers >= 0. */
export function validateKnownSeqs(knownSeqs: Readonly<Record<string, number>> | undefined): Readonly<Record<string, number>> {
  if (knownSeqs === undefined) return {};
  if (typeof knownSeqs !== 'object' || knownSeqs === null || Array.isArray(knownSeqs)) {
    throw new TaskStreamError('INVALID_ARGUMENT', 'knownSeqs must be an object of message key -> seq', { details: { knownSeqs: typeof knownSeqs } });
  }
  for (const [key, seq] of Object.entries(knownSeqs)) {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new TaskStreamError('INVALID_ARGUMENT', `knownSeqs[${JSON.stringify(key)}] must be an integer >= 0, got ${String(seq)}`, { details: { key, seq } });
    }
  }
  return knownSeqs;
}

/** Merges `overrides` over `base` and validates every field (`INVALID_CONFIG`). */
export function resolveTuning(base: SubscriberTuning, overrides: Partial<SubscriberTuning>): SubscriberTuning {
  const merged: Record<string, number> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined && key in base) merged[key] = value as number;
  }
  for (const [key, value] of Object.entries(merged)) {
    const min = key === 'count' || key === 'pollMinMs' || key === 'retryBaseMs' ? 1 : 0;
    requireNonNegativeInteger(key, value, min);
  }
  const tuning = merged as unknown as SubscriberTuning;
  if (tuning.pollMaxMs < tuning.pollMinMs) {
    throw new TaskStreamError('INVALID_CONFIG', `pollMaxMs (${tuning.pollMaxMs}) must be >= pollMinMs (${tuning.pollMinMs})`, {
      details: { variable: 'pollMaxMs', value: tuning.pollMaxMs },
    });
  }
  if (tuning.retryMaxMs < tuning.retryBaseMs) {
    throw new TaskStreamError('INVALID_CONFIG', `retryMaxMs (${tuning.retryMaxMs}) must be >= retryBaseMs (${tuning.retryBaseMs})`, {
      details: { variable: 'retryMaxMs', value: tuning.retryMaxMs },
    });
  }
  return tuning;
}

/** Validates `limit`; `INVALID_ARGUMENT` when it is not a positive integer. No limit is `Infinity`. */
export function validateLimit(limit: number | undefined): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  return requireIntegerArgument('limit', limit, 1);
}
