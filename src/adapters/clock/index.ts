export { systemClock } from './system-clock.js';
export { FakeClock, flushMicrotasks } from './fake-clock.js';
