import { describe, expect, it } from 'vitest';
import { harness, textOf } from './harness.js';

describe('publisher smoke', () => {
  it('publishes start, deltas, done in order', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1', { start: { type: 'text', author: 'agent', content: '' } });
    ctx.delta({ type: 'text', textDelta: 'Hel' });
    ctx.delta({ type: 'text', textDelta: 'lo' });
    ctx.delta({ type: 'text', textDelta: '!' });
    const done = ctx.done({ finish: 'stop' });
    await h.clock.runAll();
    await done;
    const ev = h.message(0);
    expect(ev.map((e) => e.type)).toEqual(['start', 'delta', 'done']);
    expect(ev.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(textOf(ev)).toBe('Hello!');
    expect(ev.at(-1)).toMatchObject({ type: 'done', fields: { finish: 'stop' } });
    expect(h.repo.maxConcurrentPerTopic).toBe(1);
  });
});
