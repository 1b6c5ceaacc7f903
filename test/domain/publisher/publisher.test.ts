import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../../../src/adapters/clock/fake-clock.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { MessageDelta } from '../../../src/domain/events.js';
import { createPublisher } from '../../../src/defaults.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { jsonTestCodec } from '../../helpers/publisher-json-codec.js';
import { recordingRepository } from '../../helpers/recording-repository.js';
import { harness, textOf } from './harness.js';

const text = (t: string): MessageDelta => ({ type: 'text', textDelta: t });

describe('createPublisher', () => {
  it('auto-assigns message indexes per task (0, 1, 2, …) and respects the caller index', () => {
    const h = harness();
    expect(h.publisher.open('a').index).toBe(0);
    expect(h.publisher.open('a').index).toBe(1);
    expect(h.publisher.open('b').index).toBe(0);
    expect(h.publisher.open('a', { index: 7 }).index).toBe(7);
    expect(h.publisher.open('a').index).toBe(8);
    expect(h.publisher.open('a', { index: 2 }).index).toBe(2);
    expect(h.publisher.open('a').index).toBe(9);
  });

  it('gives every message context its own producer id, even for an index reused after the task ended', async () => {
    const h = harness();
    const first = h.publisher.open('a', { index: 0 });
    await first.done();
    await h.publisher.updateTask('a', 'COMPLETED');
    const ids = [first, h.publisher.open('a', { index: 0 }), h.publisher.open('b', { index: 0 })].map((c) => c.producerId);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => id.startsWith('pub:'))).toBe(true);
  });

  it('refuses to open an index twice with DUPLICATE_MESSAGE, synchronously, writing nothing', async () => {
    const h = harness();
    const ctx = h.publisher.open('a', { index: 0 });
    h.publisher.open('a'); // index 1
    let thrown: unknown;
    try {
      h.publisher.open('a', { index: 0, start: { type: 'text', author: 'agent', content: '' } });
    } catch (err) {
      thrown = err;
    }
    expect(TaskStreamError.is(thrown, 'DUPLICATE_MESSAGE')).toBe(true);
    expect((thrown as TaskStreamError).details).toEqual({ taskId: 'a', index: 0 });
    expect(() => h.publisher.open('a', { index: 1 })).toThrow(expect.objectContaining({ code: 'DUPLICATE_MESSAGE' }));
    // Still refused once the first context is done: a second context would write a second done.
    await ctx.done();
    expect(() => h.publisher.open('a', { index: 0 })).toThrow(expect.objectContaining({ code: 'DUPLICATE_MESSAGE' }));
    expect(h.publisher.open('b', { index: 0 }).index).toBe(0);
    await h.publisher.close();
    expect((await h.message(0, 'a')).map((e) => e.type)).toEqual(['done']);
  });

  it('appends to topicFor(taskId, keyPrefix) with maxLen, ttlSeconds and idempotency', async () => {
    const h = harness({ keyPrefix: 'ts:', maxLen: 77, ttlSeconds: 9 });
    const ctx = h.publisher.open('job-1');
    ctx.delta(text('x'));
    await ctx.done();
    expect(h.repo.requests.map((r) => [r.topic, r.maxLen, r.ttlSeconds, r.idempotency?.producerId])).toEqual([
      ['ts:job-1', 77, 9, ctx.producerId],
      ['ts:job-1', 77, 9, ctx.producerId],
    ]);
  });

  it('carries parentTaskMessage on every event of the message', async () => {
    const h = harness();
    const parent = { id: 'm1', task_id: 't1', content: { type: 'text', author: 'agent', content: '' } };
    const ctx = h.publisher.open('t1', { parentTaskMessage: parent, start: { type: 'text', author: 'agent', content: '' } });
    ctx.delta(text('x'));
    await ctx.done();
    expect((await h.message(0)).map((e) => e.parentTaskMessage)).toEqual([parent, parent, parent]);
  });

  it('rejects bad input with typed errors', () => {
    const h = harness();
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (err) {
        return TaskStreamError.is(err) ? err.code : 'untyped';
      }
      return undefined;
    };
    expect(codeOf(() => h.publisher.open(''))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => h.publisher.open('t', { index: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => h.publisher.open('t').delta({ type: 'text' } as unknown as MessageDelta))).toBe('INVALID_ARGUMENT');
    const clock = new FakeClock();
    const base = { repository: recordingRepository(clock), codec: jsonTestCodec, clock };
    expect(codeOf(() => createPublisher({ ...base, settings: { flushIntervalMs: 0 } }))).toBe('INVALID_CONFIG');
    expect(codeOf(() => createPublisher({ ...base, retry: { maxAttempts: 0 } }))).toBe('INVALID_CONFIG');
    expect(codeOf(() => createPublisher({ ...base, maxPendingEntries: 0 }))).toBe('INVALID_CONFIG');
  });
});

describe('task-level events', () => {
  it('updateTask and error append in call order with a task producer and growing seqs', async () => {
    const h = harness();
    await Promise.all([h.publisher.updateTask('t1', 'RUNNING', { step: 1 }), h.publisher.error('t1', 'boom', { retryable: false })]);
    await h.publisher.updateTask('t1', 'COMPLETED');
    expect(await h.events()).toEqual([
      { type: 'task_updated', seq: 0, status: 'RUNNING', fields: { step: 1 } },
      { type: 'error', seq: 1, message: 'boom', fields: { retryable: false } },
      { type: 'task_updated', seq: 0, status: 'COMPLETED', fields: {} },
    ]);
    const producers = h.repo.requests.map((r) => r.idempotency?.producerId);
    expect(producers[0]).toMatch(/^pub:t/);
    expect(producers[2]).not.toBe(producers[0]);
  });

  it('retries task events without duplicating them', async () => {
    const h = harness();
    h.repo.failNext(2, 'after');
    const p = h.publisher.updateTask('t1', 'RUNNING');
    await h.clock.runAll();
    await p;
    expect(await h.events()).toHaveLength(1);
  });

  it('rejects a task event that keeps failing with PUBLISH_FAILED', async () => {
    const h = harness({}, { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 5 } });
    h.repo.failNext(Infinity);
    const p = h.publisher.error('t1', 'x');
    const settled = p.then(() => 'ok', (e: unknown) => e);
    await h.clock.runAll();
    expect(TaskStreamError.is(await settled, 'PUBLISH_FAILED')).toBe(true);
    expect(h.errors).toHaveLength(1);
  });
});

describe('Publisher.close', () => {
  it('closes every open message (each gets one done), is idempotent, and refuses new work', async () => {
    const h = harness();
    const a = h.publisher.open('t1');
    const b = h.publisher.open('t1');
    a.delta(text('A'));
    b.delta(text('B'));
    const doneA = a.done({ mine: true });
    const c1 = h.publisher.close();
    expect(h.publisher.close()).toBe(c1);
    await c1;
    await doneA;
    expect((await h.message(0)).at(-1)).toMatchObject({ type: 'done', fields: { mine: true } });
    expect((await h.message(1)).map((e) => e.type)).toEqual(['delta', 'done']);
    expect(() => h.publisher.open('t1')).toThrow(TaskStreamError);
    await expect(h.publisher.updateTask('t1', 'RUNNING')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('rejects PUBLISH_FAILED when a message could not be published', async () => {
    const h = harness({}, { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    h.repo.failNext(Infinity);
    h.publisher.open('t1').delta(text('x'));
    const closing = h.publisher.close().then(() => 'ok', (e: unknown) => e);
    await h.clock.runAll();
    expect(TaskStreamError.is(await closing, 'PUBLISH_FAILED')).toBe(true);
  });
});

describe('coalesce modes', () => {
  it('off: one append per delta, never merged, even when the backend is slow; no timers', async () => {
    const h = harness({ coalesce: 'off' });
    const release = h.repo.hold();
    const ctx = h.publisher.open('t1');
    for (const t of ['a', 'b', 'c', 'd']) ctx.delta(text(t));
    expect(h.clock.pendingCount).toBe(0);
    release();
    await ctx.done();
    expect(h.repo.requests.map((r) => r.entries.length)).toEqual([1, 1, 1, 1, 1]);
    expect((await h.message(0)).map((e) => (e.type === 'delta' ? (e.delta as { textDelta: string }).textDelta : e.type))).toEqual(['a', 'b', 'c', 'd', 'done']);
  });

  it('per_token: one entry per delta, batched into one append while the previous is in flight; no timers', async () => {
    const h = harness({ coalesce: 'per_token' });
    const release = h.repo.hold();
    const ctx = h.publisher.open('t1');
    for (const t of ['a', 'b', 'c', 'd']) ctx.delta(text(t));
    expect(h.clock.pendingCount).toBe(0);
    await flushMicrotasks();
    release();
    await ctx.done();
    expect(h.repo.requests.map((r) => r.entries.length)).toEqual([1, 4]);
    expect((await h.message(0)).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(textOf(await h.message(0))).toBe('abcd');
  });

  it('flush() sends what is buffered and resolves once appended (backpressure)', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    ctx.delta(text('b'));
    await ctx.flush();
    expect(textOf(await h.message(0))).toBe('ab');
    expect(ctx.pendingEntries).toBe(0);
    expect(h.clock.pendingCount).toBe(0);
    await ctx.close();
  });
});
