/** An opaque handle for a scheduled callback. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/**
 * All time the domain uses comes through a Clock, so tests drive it with a fake one and timing
 * logic never sleeps. `now()` is wall-clock milliseconds (stream ids derive from it);
 * timers fire once, after at least `ms` milliseconds of this clock's time.
 */
export interface Clock {
  /** Milliseconds since the epoch. May go backwards (the memory backend copes, as Redis does). */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a pending callback; a no-op for one that fired or was cleared. */
  clearTimeout(handle: TimerHandle): void;
}
