import type { Requester, UpstashRequest, UpstashResponse } from '@upstash/redis';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { RestClient, restScript } from '../../../src/adapters/upstash/rest-client.js';
import { RestHttpError, RestNetworkError } from '../../../src/adapters/upstash/rest-requester.js';

/** A requester that answers from a script of outcomes and records the bodies it got. */
function scripted(outcomes: (unknown | Error)[]): Requester & { bodies: unknown[] } {
  const bodies: unknown[] = [];
  return {
    bodies,
    async request<T>(req: UpstashRequest): Promise<UpstashResponse<T>> {
      bodies.push(req.body);
      const next = outcomes.shift();
      if (next instanceof Error) throw next;
      return { result: next as T };
    },
  };
}

const settings = (clock: FakeClock) => ({ clock, logger: undefined, retries: 3, retryBaseMs: 100, retryMaxMs: 250, secret: 'tok' });

describe('RestClient retries, timed by the injected clock', () => {
  it('waits between retries on the clock (exponential, capped) and succeeds when the server recovers', async () => {
    const clock = new FakeClock();
    const requester = scripted([new RestHttpError(503, 'x'), new RestNetworkError('y', true, { cause: null }), 'PONG']);
    const client = new RestClient(requester, settings(clock));
    let result: unknown;
    const call = client.command('ping', ['PING'], { idempotent: true }).then((r) => (result = r));
    await clock.advance(0);
    expect(requester.bodies).toHaveLength(1);
    await clock.advance(49); // first delay is 50-100 ms
    expect(requester.bodies).toHaveLength(1);
    await clock.advance(51);
    expect(requester.bodies).toHaveLength(2);
    await clock.advance(200); // second delay is 100-200 ms
    await call;
    expect(result).toBe('PONG');
    expect(requester.bodies).toHaveLength(3);
    expect(clock.pendingCount).toBe(0);
  });

  it('jitters each delay by the injected random (equal jitter: cap/2 at 0, cap near 1)', async () => {
    const clock = new FakeClock();
    const randoms = [0, 0.999_999, 0];
    const requester = scripted([new RestHttpError(503, 'x'), new RestHttpError(503, 'x'), new RestHttpError(503, 'x'), 'PONG']);
    const client = new RestClient(requester, { ...settings(clock), random: () => randoms.shift()! });
    const sentAt: number[] = [];
    const original = requester.request.bind(requester);
    requester.request = (req) => (sentAt.push(clock.now()), original(req));
    const call = client.command('ping', ['PING'], { idempotent: true });
    await clock.runAll();
    expect(await call).toBe('PONG');
    // caps 100, 200, 250 (retryMaxMs): waits 50, 200, 125
    expect(sentAt.map((t) => t - sentAt[0]!)).toEqual([0, 50, 250, 375]);
  });

  it('gives up after the bounded number of retries with BACKEND_UNAVAILABLE', async () => {
    const clock = new FakeClock();
    const requester = scripted(Array.from({ length: 10 }, () => new RestHttpError(502, 'bad gateway')));
    const client = new RestClient(requester, settings(clock));
    const call = client.command('ping', ['PING'], { idempotent: true }).catch((e: unknown) => e);
    await clock.runAll();
    expect(await call).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(requester.bodies).toHaveLength(4);
  });

  it('loads a script with EVAL once the server answers NOSCRIPT to EVALSHA', async () => {
    const clock = new FakeClock();
    const requester = scripted([new RestHttpError(400, 'NOSCRIPT No matching script'), 7]);
    const client = new RestClient(requester, settings(clock));
    const script = restScript('return 7');
    expect(await client.script('s', script, ['k'], ['a'], { idempotent: true })).toBe(7);
    expect(requester.bodies).toEqual([
      ['EVALSHA', script.sha, '1', 'k', 'a'],
      ['EVAL', 'return 7', '1', 'k', 'a'],
    ]);
  });

  it('does not retry a write that may have been applied, unless it is idempotent', async () => {
    const clock = new FakeClock();
    const requester = scripted([new RestHttpError(500, 'x'), 'never']);
    const client = new RestClient(requester, settings(clock));
    await expect(client.command('append', ['XADD', 'k', '*', 'f', 'v'], { idempotent: false })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(requester.bodies).toHaveLength(1);
    expect(clock.scheduledCount).toBe(0);
  });
});
