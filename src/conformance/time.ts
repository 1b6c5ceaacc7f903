import { setImmediate as nextMacrotask, setTimeout as realSleep } from 'node:timers/promises';
import { systemClock } from '../adapters/clock/system-clock.js';
import type { Clock } from '../ports/clock.js';
import { ConformanceFailure } from './failure.js';

/** A clock the suite can move (a `FakeClock` fits). */
export interface ControllableClock extends Clock {
  /** Moves time forward, firing due timers. */
  advance(ms: number): Promise<void>;
  /** Sets the time, possibly backwards (enables the "clock goes backwards" id check). */
  set?(ms: number): void;
}

/** How the suite lets time pass: a controllable clock is advanced, real time is waited for. */
export interface TimeDriver {
  /** True when time is simulated (the backend shares a controllable clock with the suite). */
  readonly controllable: boolean;
  /** The clock to hand to publishers and subscribers under test. */
  readonly clock: Clock;
  /** The controllable clock, when there is one. */
  readonly fake: ControllableClock | undefined;
  /** Lets `ms` of backend time pass. */
  pass(ms: number): Promise<void>;
  /** Lets pending I/O and promise chains run without moving a simulated clock. */
  settle(): Promise<void>;
  /**
   * True when `promise` settles once `ms` of time has passed (0: without time passing). In real
   * time, {@link TimeDriver.promptMs} of slack is added.
   */
  settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean>;
  /** True when `promise` is still pending after exactly `ms` of time (no slack added). */
  pendingAfter(promise: Promise<unknown>, ms: number): Promise<boolean>;
  /**
   * Waits until `condition()` holds, letting time pass in `stepMs` steps (at most `maxMs` in all);
   * then fails naming `rule`.
   */
  until(condition: () => boolean, rule: string, what: () => string, stepMs: number, maxMs: number): Promise<void>;
  /** How long "promptly" is in real time, in ms. */
  readonly promptMs: number;
}

/** Builds the time driver for a backend: simulated when it has a clock the suite can move. */
export function createTimeDriver(fake: ControllableClock | undefined, timeScale: number): TimeDriver {
  if (fake !== undefined) return simulated(fake);
  return real(timeScale);
}

async function drain(): Promise<void> {
  for (let i = 0; i < 3; i++) await nextMacrotask();
}

function trackSettled(promise: Promise<unknown>): { readonly done: boolean } {
  const state = { done: false };
  promise.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
}

function simulated(clock: ControllableClock): TimeDriver {
  return {
    controllable: true,
    clock,
    fake: clock,
    promptMs: 0,
    async pass(ms) {
      await drain();
      await clock.advance(ms);
      await drain();
    },
    settle: drain,
    async settlesWithin(promise, ms) {
      const state = trackSettled(promise);
      await drain();
      if (ms > 0 && !state.done) await this.pass(ms);
      await drain();
      return state.done;
    },
    async pendingAfter(promise, ms) {
      const state = trackSettled(promise);
      await this.pass(ms);
      return !state.done;
    },
    async until(condition, rule, what, stepMs, maxMs) {
      for (let spent = 0; ; ) {
        await drain();
        if (condition()) return;
        if (spent >= maxMs) throw new ConformanceFailure(rule, `${what()} (still not so after ${maxMs} ms of simulated time)`);
        await clock.advance(stepMs);
        spent += stepMs;
      }
    },
  };
}

function real(timeScale: number): TimeDriver {
  const scaled = (ms: number): number => Math.ceil(ms * timeScale);
  return {
    controllable: false,
    clock: systemClock,
    fake: undefined,
    promptMs: scaled(500),
    async pass(ms) {
      await realSleep(scaled(ms));
    },
    async settle() {
      await realSleep(scaled(5));
    },
    async settlesWithin(promise, ms) {
      const state = trackSettled(promise);
      const deadline = Date.now() + scaled(Math.max(ms, 0)) + this.promptMs;
      while (!state.done && Date.now() < deadline) await realSleep(2);
      return state.done;
    },
    async pendingAfter(promise, ms) {
      // Judged by when it settled, not by when this sleep wakes: a loaded machine may oversleep.
      const start = Date.now();
      let settledAt: number | undefined;
      promise.then(
        () => (settledAt ??= Date.now()),
        () => (settledAt ??= Date.now()),
      );
      await realSleep(ms);
      return settledAt === undefined || (ms > 0 && settledAt - start >= ms);
    },
    async until(condition, rule, what, _stepMs, maxMs) {
      const deadline = Date.now() + scaled(maxMs) + scaled(2_000);
      for (;;) {
        if (condition()) return;
        if (Date.now() > deadline) throw new ConformanceFailure(rule, `${what()} (still not so after ${scaled(maxMs) + scaled(2_000)} ms)`);
        await realSleep(2);
      }
    },
  };
}
