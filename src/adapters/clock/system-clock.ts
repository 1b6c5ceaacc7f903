import type { Clock, TimerHandle } from '../../ports/clock.js';

/**
 * The real clock: `Date.now()` and Node's timers. Timers keep the process alive, as a plain
 * `setTimeout` does: a reader waiting between polls must not let a script exit under it. Nothing
 * in taskstream holds a timer while idle, so this never keeps an idle process running.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    return setTimeout(callback, Math.max(0, ms)) as TimerHandle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
