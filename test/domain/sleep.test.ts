import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { sleep } from '../../src/domain/sleep.js';

describe('sleep', () => {
  it('resolves after the given clock time, not before, and leaves no timer', async () => {
    const clock = new FakeClock();
    let done = false;
    void sleep(clock, 100).then(() => (done = true));
    await clock.advance(99);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
    expect(clock.pendingCount).toBe(0);
  });

  it('an abort resolves it at once and clears its timer; an aborted signal schedules nothing', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let done = false;
    void sleep(clock, 60_000, controller.signal).then(() => (done = true));
    expect(clock.pendingCount).toBe(1);
    controller.abort();
    await clock.advance(0);
    expect(done).toBe(true);
    expect(clock.pendingCount).toBe(0);
    await sleep(clock, 60_000, controller.signal);
    expect(clock.scheduledCount).toBe(1);
  });
});
