import type { Clock, TimerHandle } from '../../ports/clock.js';

/** The real clock: `Date.now()` and Node's timers. Timers are unref'd so they never keep a process alive by themselves. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, Math.max(0, ms));
    timer.unref?.();
    return timer as TimerHandle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
