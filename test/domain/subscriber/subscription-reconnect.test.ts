import { describe, expect, it } from 'vitest';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { consume, seqs, settle, setup, status, TASK, TOPIC } from './harness.js';

// After a failed read is retried (a reconnect, maybe to a restarted server), the subscription
// checks that its cursor is still an entry of the stream (issue 14: pinned through the public API).

function reconnecting() {
  let failReads = 0;
  const env = setup({
    wrap: (inner) => wrapRepository(inner, { read: (t, a, o) => (failReads > 0 ? (failReads--, Promise.reject(new Error('ECONNRESET'))) : inner.read(t, a, o)) }),
    subscriber: { tuning: { blockMs: 0, pollMinMs: 10, pollMaxMs: 10, retryBaseMs: 10 } },
  });
  return { env, failNextRead: () => (failReads = 1) };
}

describe('subscription: position check after a reconnect', () => {
  it('a stream lost and written again while the reader reconnected: a reset gap before the new entries', async () => {
    const { env, failNextRead } = reconnecting();
    const old = await env.append([status(1), status(2)]);
    const subscription = env.subscriber.open(TASK, { lastEventId: '0-0' });
    const run = consume(subscription);
    await settle();
    expect(seqs(run.items)).toEqual([1, 2]);
    await env.memory.deleteTopic(TOPIC);
    await env.clock.advance(5);
    const fresh = await env.append([status(1)]);
    failNextRead();
    await env.clock.advance(40);
    expect(seqs(run.items)).toEqual([1, 2, 'gap', 1]);
    expect(run.items[2]).toEqual({ id: old[1], event: { type: 'gap', reason: 'reset', resumeId: old[1], firstRetainedId: fresh[0], trimmed: 0 } });
    subscription.close();
    await run.finished;
  });

  it('the same stream after a reconnect: no gap, and the check runs once, not on every later page', async () => {
    let infos = 0;
    let failReads = 0;
    const env = setup({
      wrap: (inner) =>
        wrapRepository(inner, {
          read: (t, a, o) => (failReads > 0 ? (failReads--, Promise.reject(new Error('ECONNRESET'))) : inner.read(t, a, o)),
          info: (t) => (infos++, inner.info(t)),
        }),
      subscriber: { tuning: { blockMs: 0, pollMinMs: 10, pollMaxMs: 10, retryBaseMs: 10 } },
    });
    await env.append([status(1)]);
    const subscription = env.subscriber.open(TASK, { lastEventId: '0-0' });
    const run = consume(subscription);
    await settle();
    failReads = 1;
    await env.append([status(2)]);
    await env.clock.advance(40);
    const infosAfterReconnect = infos;
    for (let i = 3; i <= 5; i++) {
      await env.clock.advance(10);
      await env.append([status(i)]);
      await env.clock.advance(10);
    }
    expect(seqs(run.items)).toEqual([1, 2, 3, 4, 5]);
    expect(infos).toBe(infosAfterReconnect);
    subscription.close();
    await run.finished;
  });
});

describe('subscription: trimming while the reader reconnected', () => {
  it('entries trimmed past the cursor during a reconnect are a trimmed gap, even when the next page is not full', async () => {
    const { env, failNextRead } = reconnecting();
    const first = await env.append([status(1)]);
    // count 1,000: the first page after the reconnect is far from full, so only the reconnect check can see the hole.
    const subscription = env.subscriber.open(TASK, { lastEventId: '0-0', count: 1_000 });
    const run = consume(subscription);
    await settle();
    expect(seqs(run.items)).toEqual([1]);
    failNextRead();
    for (let i = 2; i <= 400; i++) await env.append([status(i)], { maxLen: 10, ttlSeconds: 600 });
    for (let i = 0; i < 20 && seqs(run.items).at(-1) !== 400; i++) await env.clock.advance(20);
    const gap = run.items[1]?.event;
    expect(gap).toMatchObject({ type: 'gap', reason: 'trimmed', resumeId: first[0] });
    const kept = seqs(run.items.slice(2));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.at(-1)).toBe(400);
    expect((gap as { trimmed: number }).trimmed).toBe(400 - kept.length);
    subscription.close();
    await run.finished;
  });
});
