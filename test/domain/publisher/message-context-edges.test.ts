import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../../../src/adapters/clock/fake-clock.js';
import { agentexCodec } from '../../../src/domain/codec/agentex-codec.js';
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
    expect(textOf((await h.message(0)))).toBe('abc');
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
    expect((await h.message(0)).map((e) => 'parentTaskMessage' in e)).toEqual([false, false, false]);
    expect((await h.repo.entries('task:t1')).every((e) => !Object.keys(e.fields).some((k) => k.includes('parent')))).toBe(true);
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
    expect((await h.message(0)).map((e) => e.type)).toEqual(['delta', 'done']);
    expect((await h.message(0)).at(-1)).toMatchObject({ fields: { ok: true } });
  });
});

describe('message context: waiting and failing', () => {
  const settled = async (p: Promise<unknown>): Promise<boolean> => {
    let done = false;
    p.then(
      () => (done = true),
      () => (done = true),
    );
    await flushMicrotasks();
    return done;
  };

  it('flush() with nothing new since the last flush resolves at once', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    await ctx.flush();
    expect(await settled(ctx.flush())).toBe(true);
    await ctx.close();
  });

  it('coalesced: deltas that become ready while an append is in flight keep merging until it returns', async () => {
    const h = harness({ coalesce: 'coalesced', flushIntervalMs: 10 });
    const release = h.repo.hold();
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    await flushMicrotasks();
    ctx.delta(text('b'));
    ctx.delta(text('c'));
    await h.clock.advance(20);
    ctx.delta(text('d'));
    release();
    await ctx.flush();
    expect((await h.message(0)).map((e) => (e.type === 'delta' && e.delta.type === 'text' ? e.delta.textDelta : e.type))).toEqual(['a', 'bcd']);
    await ctx.close();
  });

  it('two deltas the codec cannot encode: onError is called once, with the first failure', async () => {
    const h = harness({ coalesce: 'off' }, {
      codec: {
        ...agentexCodec,
        encode: (event, taskId) => {
          if (event.type === 'delta' && event.delta.type === 'text' && event.delta.textDelta.startsWith('boom')) throw new Error(event.delta.textDelta);
          return agentexCodec.encode(event, taskId);
        },
      },
    });
    const ctx = h.publisher.open('t1', { index: 4 });
    ctx.delta(text('boom1'));
    await ctx.flush().catch(() => undefined);
    ctx.delta(text('boom2'));
    await ctx.flush().catch(() => undefined);
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ code: 'PUBLISH_FAILED', details: { taskId: 't1', index: 4 } });
    expect(h.errors[0]!.message).toContain('boom1');
  });

  it('retries are logged with the topic, producer, attempt, delay and error', async () => {
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, warn: (_m: string, fields?: unknown) => void warnings.push(fields), error() {} };
    const h = harness({}, { logger, retry: { baseDelayMs: 30, maxDelayMs: 30 } });
    h.repo.failNext(1);
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    const closed = ctx.close();
    await h.clock.runAll();
    await closed;
    expect(warnings).toEqual([{ topic: 'task:t1', producerId: ctx.producerId, attempt: 1, delayMs: 30, error: 'injected failure' }]);
  });
});

describe('message context: refusals carry the message', () => {
  it('AFTER_TERMINAL, CLOSED and a foreign done index name the task, index and state', async () => {
    const h = harness();
    const ended = h.publisher.open('t1', { index: 3 });
    await ended.done();
    expect(thrown(() => ended.delta(text('x')))).toMatchObject({ code: 'AFTER_TERMINAL', details: { taskId: 't1', index: 3, state: 'done' } });
    const closed = h.publisher.open('t1', { index: 5 });
    await closed.close();
    expect(thrown(() => closed.delta(text('x')))).toMatchObject({ code: 'CLOSED', details: { taskId: 't1', index: 5 } });
    const other = h.publisher.open('t1', { index: 6 });
    await expect(other.done({ index: 7 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { taskId: 't1', index: 6, fieldsIndex: 7 } });
    await other.close();
  });
});

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
