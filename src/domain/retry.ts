import { TaskStreamError, type TaskStreamErrorCode } from './errors.js';

/**
 * How the wait between retries grows. Retry number `attempt` (1-based) is capped at
 * `min(maxMs, initialMs * factor^(attempt-1))`; `jitter` then spreads it:
 * - `'none'`: exactly the cap (deterministic; what the publisher, subscriber and SSE edge use by default);
 * - `'equal'`: uniform in `[cap/2, cap]` (never less than half, so a retry storm still backs off);
 * - `'full'`: uniform in `[0, cap]` (the widest spread, for many clients retrying one server).
 */
export interface Backoff {
  /** Wait before the first retry, in ms. */
  readonly initialMs: number;
  /** Longest single wait, in ms. */
  readonly maxMs: number;
  /** Growth per retry (2 doubles). */
  readonly factor: number;
  readonly jitter: 'none' | 'equal' | 'full';
}

/** A source of uniform numbers in `[0, 1)`; injected so tests are deterministic. */
export type RandomSource = () => number;

/** The wait before retry number `attempt` (1-based) under `policy`, in whole ms. */
export function backoffDelay(policy: Backoff, attempt: number, random: RandomSource = Math.random): number {
  const cap = backoffCap(policy, attempt);
  switch (policy.jitter) {
    case 'none':
      return cap;
    case 'equal':
      return Math.round(cap / 2 + (cap / 2) * unit(random));
    case 'full':
      return Math.round(cap * unit(random));
  }
}

/** The un-jittered wait before retry number `attempt`: `min(maxMs, initialMs * factor^(attempt-1))`. */
export function backoffCap(policy: Backoff, attempt: number): number {
  const exponent = Math.min(64, Math.max(0, Math.floor(attempt) - 1));
  return Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
}

function unit(random: RandomSource): number {
  const r = random();
  return Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0.5;
}

/** Codes a retry can fix: the backend was unreachable or overloaded (network, 5xx, 408/429). */
const RETRYABLE_CODES: ReadonlySet<TaskStreamErrorCode> = new Set(['BACKEND_UNAVAILABLE']);

/**
 * Whether retrying the operation that failed with `err` may succeed. A {@link TaskStreamError}
 * is retryable only with code `BACKEND_UNAVAILABLE`; every other code (bad credentials, a
 * rejected command, invalid input, a closed object, a message already ended, a duplicate
 * message, an abort) surfaces at once. A foreign error (a driver's connection reset, a
 * timeout) is treated as unavailability and retried.
 */
export function isRetryable(err: unknown): boolean {
  return !(err instanceof TaskStreamError) || RETRYABLE_CODES.has(err.code);
}
