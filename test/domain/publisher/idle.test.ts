import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import type { MessageContext } from '../../../src/domain/publisher/message-context.js';
import { NaiveTickerBuffer } from '../../helpers/naive-ticker-buffer.js';
import { harness } from './harness.js';

const MINUTE = 60_000;

describe('idle message contexts hold no timer', () => {
  it('10,000 open, idle contexts cause zero timer callbacks over a minute and leave no pending timer', async () => {
    const h = harness();
    const contexts: MessageContext[] = [];
    for (let i = 0; i < 10_000; i++) contexts.push(h.publisher.open(`t${i % 100}`));
    await h.clock.advance(MINUTE);
    expect(h.clock.pendingCount).toBe(0);
    expect(h.clock.firedCount).toBe(0);
    expect(h.clock.scheduledCount).toBe(0);
    expect(h.repo.requests).toHaveLength(0);
    for (const c of contexts.slice(0, 3)) c.delta({ type: 'text', textDelta: 'wake' });
    expect(h.repo.requests.length).toBeGreaterThan(0);
  });

  it('contexts that streamed and went quiet park with no timer once their window has flushed', async () => {
    const h = harness();
    const contexts: MessageContext[] = [];
    for (let i = 0; i < 1_000; i++) {
      const ctx = h.publisher.open(`t${i % 10}`, { start: { type: 'text', author: 'agent', content: '' } });
      ctx.delta({ type: 'text', textDelta: 'a' });
      contexts.push(ctx);
    }
    await h.clock.runAll();
    for (const ctx of contexts) ctx.delta({ type: 'text', textDelta: 'b' });
    expect(h.clock.pendingCount).toBe(1_000);
    await h.clock.runAll();
    expect(h.clock.firedCount).toBe(1_000);
    expect(h.clock.pendingCount).toBe(0);
    await h.clock.advance(MINUTE);
    expect(h.clock.firedCount).toBe(1_000);
    expect(h.clock.pendingCount).toBe(0);
    await Promise.all(contexts.map((c) => c.close()));
    expect((await h.message(0, 't0')).map((e) => e.type)).toEqual(['start', 'delta', 'delta', 'done']);
  });

  it('baseline: a naive 20 Hz ticker per buffer fires 1,200 times per buffer per idle minute', async () => {
    const clock = new FakeClock();
    const buffers = Array.from({ length: 10 }, () => new NaiveTickerBuffer(clock, () => undefined));
    await clock.advance(MINUTE);
    expect(clock.firedCount).toBe(10 * 1_200);
    expect(clock.pendingCount).toBe(10);
    for (const b of buffers) b.close();
  });
});
