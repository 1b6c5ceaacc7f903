// sleep() leaves no abort listener behind, whichever way it ends (src/domain/sleep.ts).
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { sleep } from '../../src/domain/sleep.js';

describe('sleep and its signal', () => {
  it('removes its abort listener when the time is up', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const slept = sleep(clock, 10, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await clock.advance(10);
    await slept;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('removes its abort listener when the signal aborts', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const slept = sleep(clock, 10, controller.signal);
    controller.abort();
    await slept;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(clock.pendingCount).toBe(0);
  });
});
