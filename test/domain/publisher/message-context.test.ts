import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../../../src/adapters/clock/fake-clock.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { DeltaEvent, MessageDelta } from '../../../src/domain/events.js';
import { harness, textOf } from './harness.js';

const text = (t: string): MessageDelta => ({ type: 'text', textDelta: t });
const deltas = (events: readonly { type: string }[]): MessageDelta[] => events.filter((e): e is DeltaEvent => e.type === 'delta').map((e) => e.delta);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('coalescing through the publisher', () => {
  it('publishes the first delta at once, with no time passing', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1');
    ctx.delta(text('hi'));
    await flushMicrotasks();
    expect(h.repo.requests).toHaveLength(1);
    expect(deltas(await h.message(0))).toEqual([text('hi')]);
    expect(h.clock.firedCount).toBe(0);
    await ctx.close();
  });

  it('coalesces later deltas for flushIntervalMs into one entry with one seq', async () => {
    const h = harness({ flushIntervalMs: 50 });
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    await flushMicrotasks();
    ctx.delta(text('b'));
    ctx.delta(text('c'));
    await h.clock.advance(49);
    expect(h.repo.requests).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.repo.requests).toHaveLength(2);
    expect((await h.message(0)).map((e) => [e.seq, e.type === 'delta' ? e.delta : null])).toEqual([
      [0, text('a')],
      [1, text('bc')],
    ]);
    await ctx.close();
  });

  it('flushes at once when maxBufferedChars code points are buffered (emoji count once)', async () => {
    const h = harness({ maxBufferedChars: 4 });
    const ctx = h.publisher.open('t1');
    ctx.delta(text('>'));
    await flushMicrotasks();
    ctx.delta(text('😀😀😀'));
    await flushMicrotasks();
    expect(h.repo.requests).toHaveLength(1);
    ctx.delta(text('😀'));
    await flushMicrotasks();
    expect(h.repo.requests).toHaveLength(2);
    expect(h.clock.firedCount).toBe(0);
    expect(deltas(await h.message(0))).toEqual([text('>'), text('😀😀😀😀')]);
    await ctx.close();
  });

  it('merges only consecutive deltas of the same kind and keeps the order across kinds', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1');
    ctx.delta(text('first'));
    const sent: MessageDelta[] = [
      text('a'),
      text('b'),
      { type: 'reasoning_summary', summaryIndex: 0, summaryDelta: 's0' },
      { type: 'reasoning_summary', summaryIndex: 0, summaryDelta: '+' },
      { type: 'reasoning_summary', summaryIndex: 1, summaryDelta: 's1' },
      { type: 'reasoning_content', contentIndex: 1, contentDelta: 'c1' },
      { type: 'tool_request', toolCallId: 'x', name: 'f', argumentsDelta: '{' },
      { type: 'tool_request', toolCallId: 'x', name: 'f', argumentsDelta: '}' },
      { type: 'tool_request', toolCallId: 'y', name: 'f', argumentsDelta: '[]' },
      text('c'),
    ];
    for (const d of sent) ctx.delta(d);
    await ctx.done();
    expect(deltas(await h.message(0))).toEqual([
      text('first'),
      text('ab'),
      { type: 'reasoning_summary', summaryIndex: 0, summaryDelta: 's0+' },
      { type: 'reasoning_summary', summaryIndex: 1, summaryDelta: 's1' },
      { type: 'reasoning_content', contentIndex: 1, contentDelta: 'c1' },
      { type: 'tool_request', toolCallId: 'x', name: 'f', argumentsDelta: '{}' },
      { type: 'tool_request', toolCallId: 'y', name: 'f', argumentsDelta: '[]' },
      text('c'),
    ]);
    expect((await h.message(0)).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('never has two appends of one message in flight and keeps merging while the backend is slow', async () => {
    const h = harness();
    const release = h.repo.hold();
    const ctx = h.publisher.open('t1', { start: { type: 'text', author: 'agent', content: '' } });
    let sent = '';
    for (let i = 0; i < 500; i++) {
      const piece = `w${i} `;
      sent += piece;
      ctx.delta(text(piece));
      if (i % 50 === 0) await h.clock.advance(60);
      expect(ctx.pendingEntries).toBeLessThanOrEqual(2);
    }
    expect(h.repo.requests).toHaveLength(1);
    release();
    await ctx.done();
    expect(h.repo.maxConcurrentPerTopic).toBe(1);
    expect(textOf(await h.message(0))).toBe(sent);
    expect((await h.message(0)).map((e) => e.type)).toEqual(['start', 'delta', 'done']);
  });
});

describe('terminal ordering', () => {
  it('done is last, exactly once, and carries the caller fields', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    ctx.delta(text('b'));
    const done = ctx.done({ finish_reason: 'stop', usage: { tokens: 3 } });
    await done;
    await ctx.close();
    const ev = (await h.message(0));
    expect(ev.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(ev.at(-1)).toMatchObject({ type: 'done', fields: { finish_reason: 'stop', usage: { tokens: 3 } } });
    expect(textOf(ev)).toBe('ab');
  });

  it('full drains the buffer first; a later done keeps its fields; close after full synthesizes an empty done', async () => {
    const h = harness();
    const a = h.publisher.open('t1');
    a.delta(text('x'));
    a.delta(text('y'));
    await a.full({ type: 'text', author: 'agent', content: 'xy' });
    expect(a.state).toBe('full');
    await a.done({ k: 1 });
    expect((await h.message(0)).map((e) => e.type)).toEqual(['delta', 'delta', 'full', 'done']);
    expect((await h.message(0)).at(-1)).toMatchObject({ fields: { k: 1 } });

    const b = h.publisher.open('t1');
    b.delta(text('z'));
    await b.full({ type: 'text', author: 'agent', content: 'z' });
    await b.close();
    expect((await h.message(1)).map((e) => e.type)).toEqual(['delta', 'full', 'done']);
    expect((await h.message(1)).at(-1)).toMatchObject({ type: 'done', fields: {} });
  });

  it('rejects anything after the terminal with AFTER_TERMINAL and publishes none of it', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1');
    await ctx.full({ type: 'text', author: 'agent', content: 'all' });
    expect(TaskStreamError.is(thrown(() => ctx.delta(text('late'))), 'AFTER_TERMINAL')).toBe(true);
    expect(TaskStreamError.is(await rejection(ctx.full({ type: 'text', author: 'agent', content: 'again' })), 'AFTER_TERMINAL')).toBe(true);
    await ctx.done({ a: 1 });
    expect(TaskStreamError.is(await rejection(ctx.done({ a: 2 })), 'AFTER_TERMINAL')).toBe(true);
    expect(TaskStreamError.is(thrown(() => ctx.delta(text('later'))), 'AFTER_TERMINAL')).toBe(true);
    await ctx.close();
    expect((await h.message(0)).map((e) => e.type)).toEqual(['full', 'done']);
    expect((await h.message(0)).at(-1)).toMatchObject({ fields: { a: 1 } });
  });

  it('rejects sends after close() with CLOSED and publishes none of them', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    const closing = ctx.close();
    expect(TaskStreamError.is(thrown(() => ctx.delta(text('b'))), 'CLOSED')).toBe(true);
    expect(TaskStreamError.is(await rejection(ctx.done({ x: 1 })), 'CLOSED')).toBe(true);
    expect(TaskStreamError.is(await rejection(ctx.full({ type: 'text', author: 'agent', content: '' })), 'CLOSED')).toBe(true);
    await closing;
    expect((await h.message(0)).map((e) => e.type)).toEqual(['delta', 'done']);
    expect((await h.message(0)).at(-1)).toMatchObject({ fields: {} });
  });

  it("done({ index }) with the message's own index carries it; another index is INVALID_ARGUMENT and changes nothing", async () => {
    const h = harness();
    const ctx = h.publisher.open('t1', { index: 3 });
    ctx.delta(text('a'));
    expect(TaskStreamError.is(await rejection(ctx.done({ index: 4 })), 'INVALID_ARGUMENT')).toBe(true);
    expect(ctx.state).toBe('open');
    await ctx.done({ index: 3, finish_reason: 'stop' });
    expect((await h.message(3)).at(-1)).toMatchObject({ type: 'done', index: 3, fields: { finish_reason: 'stop' } });
    expect((await h.message(3)).filter((e) => e.type === 'done')).toHaveLength(1);
  });

  it('a done whose fields the codec refuses is rejected with INVALID_ARGUMENT and changes nothing', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    ctx.delta(text('b'));
    expect(TaskStreamError.is(await rejection(ctx.done({ type: 'sneaky' })), 'INVALID_ARGUMENT')).toBe(true);
    expect(ctx.state).toBe('open');
    ctx.delta(text('c'));
    await ctx.done({ ok: 1 });
    expect(textOf(await h.message(0))).toBe('abc');
    expect((await h.message(0)).map((e) => e.seq)).toEqual([0, 1, 2]);
    expect((await h.message(0)).at(-1)).toMatchObject({ type: 'done', fields: { ok: 1 } });
  });

  it('numbers entries per message from 0, start included', async () => {
    const h = harness({ coalesce: 'per_token' });
    const ctx = h.publisher.open('t1', { start: { type: 'text', author: 'agent', content: '' } });
    ctx.delta(text('a'));
    ctx.delta(text('b'));
    await ctx.done();
    expect((await h.message(0)).map((e) => `${e.type}:${e.seq}`)).toEqual(['start:0', 'delta:1', 'delta:2', 'done:3']);
    const seqs = h.repo.requests.flatMap((r) => r.idempotency?.seqs ?? []);
    expect(seqs).toEqual([0, 1, 2, 3]);
  });
});

describe('close', () => {
  it('drains once, is idempotent, and concurrent closers share one promise', async () => {
    const h = harness();
    const release = h.repo.hold();
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    ctx.delta(text('b'));
    const c1 = ctx.close();
    const c2 = ctx.close();
    const c3 = ctx[Symbol.asyncDispose]();
    expect(c2).toBe(c1);
    expect(c3).toBe(c1);
    release();
    await Promise.all([c1, c2, c3]);
    expect(ctx.close()).toBe(c1);
    expect((await h.message(0)).filter((e) => e.type === 'done')).toHaveLength(1);
    expect(textOf(await h.message(0))).toBe('ab');
  });

  it('close after done returns the done promise and adds nothing', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1');
    const done = ctx.done({ r: 1 });
    const closing = ctx.close();
    await done;
    await closing;
    expect(ctx.close()).toBe(closing);
    expect(await h.message(0)).toHaveLength(1);
    expect((await h.message(0))[0]).toMatchObject({ type: 'done', fields: { r: 1 } });
  });

  it('works with await using', async () => {
    const h = harness();
    {
      await using ctx = h.publisher.open('t1');
      ctx.delta(text('scoped'));
    }
    expect((await h.message(0)).map((e) => e.type)).toEqual(['delta', 'done']);
  });

  it('an abort that fires during close still lets the final drain finish', async () => {
    const h = harness();
    const controller = new AbortController();
    const release = h.repo.hold();
    const ctx = h.publisher.open('t1', { signal: controller.signal });
    ctx.delta(text('a'));
    ctx.delta(text('b'));
    const closing = ctx.close();
    controller.abort();
    await h.clock.advance(1_000);
    release();
    await closing;
    expect(textOf(await h.message(0))).toBe('ab');
    expect((await h.message(0)).at(-1)?.type).toBe('done');
  });

  it('an abort before close closes the message (drain, empty done); open with an aborted signal throws ABORTED', async () => {
    const h = harness();
    const controller = new AbortController();
    const ctx = h.publisher.open('t1', { signal: controller.signal });
    ctx.delta(text('a'));
    ctx.delta(text('b'));
    controller.abort();
    expect(TaskStreamError.is(thrown(() => ctx.delta(text('c'))), 'CLOSED')).toBe(true);
    await ctx.close();
    expect(textOf(await h.message(0))).toBe('ab');
    expect((await h.message(0)).at(-1)).toMatchObject({ type: 'done', fields: {} });
    expect(TaskStreamError.is(thrown(() => h.publisher.open('t1', { signal: controller.signal })), 'ABORTED')).toBe(true);
  });
});

describe('failures', () => {
  it('retries with backoff on the clock: N failures then success lose nothing', async () => {
    const h = harness({}, { retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 } });
    h.repo.failNext(3);
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    await flushMicrotasks();
    expect(h.repo.requests).toHaveLength(1);
    await h.clock.advance(99);
    expect(h.repo.requests).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.repo.requests).toHaveLength(2);
    ctx.delta(text('b'));
    const done = ctx.done({ ok: true });
    await h.clock.runAll();
    await done;
    expect(textOf(await h.message(0))).toBe('ab');
    expect((await h.message(0)).at(-1)).toMatchObject({ type: 'done', fields: { ok: true } });
    expect(h.errors).toEqual([]);
  });

  it('an ambiguous failure (written, then reported failed) is retried without duplicates', async () => {
    const h = harness({ coalesce: 'off' });
    h.repo.failNext(4, 'after');
    const ctx = h.publisher.open('t1');
    for (const t of ['a', 'b', 'c']) ctx.delta(text(t));
    const done = ctx.done();
    await h.clock.runAll();
    await done;
    expect((await h.message(0)).map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(textOf(await h.message(0))).toBe('abc');
    expect(h.repo.requests.length).toBeGreaterThan(4);
    expect(h.repo.duplicatesSkipped).toBeGreaterThan(0);
  });

  it('always failing: close() rejects PUBLISH_FAILED with the cause, and onError is called once', async () => {
    const h = harness({}, { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 } });
    h.repo.failNext(Infinity);
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    ctx.delta(text('b'));
    const closing = ctx.close();
    await h.clock.runAll();
    const err = await rejection(closing);
    expect(TaskStreamError.is(err, 'PUBLISH_FAILED')).toBe(true);
    expect(TaskStreamError.is((err as Error).cause, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((err as TaskStreamError).details).toMatchObject({ attempts: 3, topic: 'task:t1' });
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toBe(err);
    expect(h.repo.requests).toHaveLength(3);
    expect(h.clock.pendingCount).toBe(0);
  });

  it('does not retry a permanent error (BACKEND_AUTH)', async () => {
    const h = harness();
    h.repo.failNext(Infinity, 'before', () => new TaskStreamError('BACKEND_AUTH', 'denied'));
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    const err = await rejection(ctx.done());
    expect(TaskStreamError.is(err, 'PUBLISH_FAILED')).toBe(true);
    expect(h.repo.requests).toHaveLength(1);
  });
});
