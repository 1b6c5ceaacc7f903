import type { Clock, TimerHandle } from '../../ports/clock.js';

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A clock for tests: time moves only when told. Timers fire in due order during
 * {@link FakeClock.advance}; {@link FakeClock.firedCount} and {@link FakeClock.pendingCount}
 * let a test count wake-ups (an idle component should cause none).
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #pending = new Map<number, PendingTimer>();
  #fired = 0;
  #scheduled = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: PendingTimer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), callback };
    this.#pending.set(timer.id, timer);
    this.#scheduled++;
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id?: unknown }).id;
    if (typeof id === 'number') this.#pending.delete(id);
  }

  /** Callbacks that have fired since construction. */
  get firedCount(): number {
    return this.#fired;
  }

  /** Timers scheduled since construction (fired, cleared or pending). */
  get scheduledCount(): number {
    return this.#scheduled;
  }

  /** Timers waiting to fire. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Sets the time without firing anything (it may go backwards, to test id monotonicity). */
  set(ms: number): void {
    this.#now = ms;
  }

  /**
   * Moves time forward by `ms`, firing each due timer at its own time, in order; timers that
   * those callbacks schedule fire too when due. Awaits pending microtasks between timers so
   * promise chains started by a callback settle before the next one runs.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + Math.max(0, ms);
    for (;;) {
      await flushMicrotasks();
      const next = this.#nextDue(target);
      if (next === undefined) break;
      this.#pending.delete(next.id);
      this.#now = Math.max(this.#now, next.at);
      this.#fired++;
      next.callback();
    }
    this.#now = Math.max(this.#now, target);
    await flushMicrotasks();
  }

  /** Fires every pending timer, however far ahead, until none is left (bounded by `maxTimers`). */
  async runAll(maxTimers = 100_000): Promise<void> {
    for (let i = 0; i < maxTimers; i++) {
      await flushMicrotasks();
      const next = this.#nextDue(Number.POSITIVE_INFINITY);
      if (next === undefined) return;
      await this.advance(next.at - this.#now);
    }
  }

  #nextDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.#pending.values()) {
      if (timer.at <= limit && (best === undefined || timer.at < best.at || (timer.at === best.at && timer.id < best.id))) {
        best = timer;
      }
    }
    return best;
  }
}

/** Lets queued promise callbacks run (a few macrotask-free turns of the microtask queue). */
export async function flushMicrotasks(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
