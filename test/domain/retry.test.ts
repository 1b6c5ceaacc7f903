import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { TaskStreamError, type TaskStreamErrorCode } from '../../src/domain/errors.js';
import { backoffCap, backoffDelay, isRetryable, type Backoff } from '../../src/domain/retry.js';
import { sleep } from '../../src/domain/sleep.js';
import { assertWithSeed } from './publisher/fc-seed.js';

const doubling: Backoff = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 'none' };

describe('backoffDelay', () => {
  it('without jitter grows by the factor from initialMs and stops at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6, 1_000].map((a) => backoffDelay(doubling, a))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('equal jitter spans [cap/2, cap] and full jitter [0, cap], by the injected random', () => {
    const equal: Backoff = { ...doubling, jitter: 'equal' };
    const full: Backoff = { ...doubling, jitter: 'full' };
    expect([0, 0.5, 0.999_999].map((r) => backoffDelay(equal, 3, () => r))).toEqual([200, 300, 400]);
    expect([0, 0.5, 0.999_999].map((r) => backoffDelay(full, 3, () => r))).toEqual([0, 200, 400]);
  });

  it('a misbehaving random source cannot push a delay outside its range', () => {
    const full: Backoff = { ...doubling, jitter: 'full' };
    expect(backoffDelay(full, 2, () => 7)).toBe(200);
    expect(backoffDelay(full, 2, () => -1)).toBe(0);
    expect(backoffDelay(full, 2, () => Number.NaN)).toBe(100);
  });

  it('a retry loop on the FakeClock waits exactly the delays, with no real time', async () => {
    const clock = new FakeClock();
    const policy: Backoff = { initialMs: 10, maxMs: 35, factor: 2, jitter: 'equal' };
    const waits: number[] = [];
    const loop = (async () => {
      for (let attempt = 1; attempt <= 4; attempt++) {
        const start = clock.now();
        await sleep(clock, backoffDelay(policy, attempt, () => 1));
        waits.push(clock.now() - start);
      }
    })();
    await clock.advance(10 + 20 + 35 + 35);
    await loop;
    expect(waits).toEqual([10, 20, 35, 35]);
  });

  it('property: every delay lies in its jitter range within [0, maxMs], and the cap never decreases', async () => {
    await assertWithSeed(
      'backoff bounds',
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.constantFrom<Backoff['jitter']>('none', 'equal', 'full'),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (initialMs, maxMs, factor, jitter, attempt, r) => {
          const policy: Backoff = { initialMs, maxMs, factor, jitter };
          const cap = backoffCap(policy, attempt);
          const delay = backoffDelay(policy, attempt, () => r);
          const low = jitter === 'none' ? Math.min(initialMs, maxMs) : jitter === 'equal' ? Math.floor(cap / 2) : 0;
          expect(delay).toBeGreaterThanOrEqual(low);
          expect(delay).toBeLessThanOrEqual(maxMs);
          expect(delay).toBeLessThanOrEqual(Math.ceil(cap));
          expect(backoffCap(policy, attempt + 1)).toBeGreaterThanOrEqual(cap);
        },
      ),
      500,
    );
  });
});

describe('isRetryable', () => {
  it('retries only an unavailable backend among TaskStreamErrors, and foreign errors', () => {
    const permanent: TaskStreamErrorCode[] = [
      'BACKEND_AUTH', 'BACKEND_COMMAND', 'INVALID_CONFIG', 'INVALID_ARGUMENT', 'INVALID_STREAM_ID',
      'INVALID_RESUME_POINT', 'CLOSED', 'AFTER_TERMINAL', 'DUPLICATE_MESSAGE', 'ABORTED', 'PUBLISH_FAILED', 'DECODE_FAILED',
    ];
    for (const code of permanent) expect(isRetryable(new TaskStreamError(code, 'x')), code).toBe(false);
    expect(isRetryable(new TaskStreamError('BACKEND_UNAVAILABLE', 'x'))).toBe(true);
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
    expect(isRetryable('socket closed')).toBe(true);
  });
});
