import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../../../src/adapters/clock/fake-clock.js';
import type { MessageDelta } from '../../../src/domain/events.js';
import { harness, textOf } from './harness.js';

// Edges of a message context that the mutation run found unpinned (issue 14), seen through the
// publisher over the recording backend.

const text = (t: string): MessageDelta => ({ type: 'text', textDelta: t });

describe('message context: what is pending', () => {
  it('pendingEntries counts buffered deltas plus entries not yet appended, and drops to 0 once appended', async () => {
    const h = harness({ coalesce: 'off' });
    const release = h.repo.hold();
    const ctx = h.publisher.open('t1');
    expect(ctx.pendingEntries).toBe(0);
    ctx.delta(text('a'));
    await flushMicrotasks();
    // 'a' is in flight (queued, not appended); 'b' and 'c' wait in the buffer.
    ctx.delta(text('b'));
    ctx.delta(text('c'));
    expect(ctx.pendingEntries).toBe(3);
    release();
    await ctx.flush();
    expect(ctx.pendingEntries).toBe(0);
    expect(textOf(h.message(0))).toBe('abc');
    await ctx.close();
  });

  it('off: one entry per append even when several wait', async () => {
    const h = harness({ coalesce: 'off' });
    const release = h.repo.hold();
    const ctx = h.publisher.open('t1');
    for (const t of ['a', 'b', 'c']) ctx.delta(text(t));
    await flushMicrotasks();
    release();
    await ctx.close();
    expect(h.repo.requests.map((r) => r.entries.length)).toEqual([1, 1, 1, 1]);
  });

  it('per_token: entries that waited go in one append', async () => {
    const h = harness({ coalesce: 'per_token' });
    const release = h.repo.hold();
    const ctx = h.publisher.open('t1');
    for (const t of ['a', 'b', 'c']) ctx.delta(text(t));
    await flushMicrotasks();
    release();
    await ctx.close();
    expect(h.repo.requests.map((r) => r.entries.length)).toEqual([1, 3]);
  });
});

describe('message context: parentTaskMessage', () => {
  it('absent: no event of the message carries one', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1', { start: { type: 'text', author: 'agent', content: '' } });
    ctx.delta(text('x'));
    await ctx.done();
    expect(h.message(0).map((e) => 'parentTaskMessage' in e)).toEqual([false, false, false]);
    expect(h.repo.entries('task:t1').every((e) => !Object.keys(e.fields).some((k) => k.includes('parent')))).toBe(true);
  });
});

describe('message context: an abort signal', () => {
  it('aborting after done() adds nothing and close() still returns the done promise', async () => {
    const h = harness();
    const controller = new AbortController();
    const ctx = h.publisher.open('t1', { signal: controller.signal });
    ctx.delta(text('x'));
    const done = ctx.done({ ok: true });
    controller.abort();
    await done;
    expect(ctx.close()).toBe(ctx.close());
    await ctx.close();
    expect(h.message(0).map((e) => e.type)).toEqual(['delta', 'done']);
    expect(h.message(0).at(-1)).toMatchObject({ fields: { ok: true } });
  });
});
