import { describe, expect, it } from 'vitest';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { TaskStreamError, type TaskStreamErrorCode } from '../../../src/domain/errors.js';
import { previousStreamId } from '../../../src/domain/stream-id.js';
import type { ReadOptions, StreamRepository } from '../../../src/ports/stream-repository.js';
import { consume, seqs, settle, setup, status, TOPIC, TASK } from './harness.js';
import { rejection } from '../../helpers/caught.js';

// The start and resume paths of a subscription, seen through `ready`, `cursor`, the items and
// the backend calls they cost: which call fixes the start, what the start says, and which
// resumes cost an extra read.

interface Calls {
  tailId: number;
  info: number;
  reads: { afterId: string; options: ReadOptions | undefined }[];
}

/** Counts backend calls; `fail` makes the named call throw while it returns an error. */
function counted(fail: { tailId?: () => unknown; info?: () => unknown } = {}) {
  const calls: Calls = { tailId: 0, info: 0, reads: [] };
  const wrap = (inner: StreamRepository): StreamRepository =>
    wrapRepository(inner, {
      tailId: async (topic) => {
        calls.tailId++;
        const err = fail.tailId?.();
        if (err !== undefined) throw err;
        return inner.tailId(topic);
      },
      info: async (topic) => {
        calls.info++;
        const err = fail.info?.();
        if (err !== undefined) throw err;
        return inner.info(topic);
      },
      read: (topic, afterId, options) => {
        calls.reads.push({ afterId, options });
        return inner.read(topic, afterId, options);
      },
    });
  return { calls, wrap };
}


describe('subscription start: tail snapshot', () => {
  it('takes one tail snapshot, says so in ready, and yields only later entries; cursor follows the items', async () => {
    const { calls, wrap } = counted();
    const { subscriber, append, clock } = setup({ wrap });
    const before = await append([status(1), status(2)]);
    const subscription = subscriber.open(TASK);
    expect(subscription.cursor).toBeUndefined();
    expect(await subscription.ready).toEqual({ topic: TOPIC, startId: before[1], resumed: false, gap: null, ended: false });
    expect(subscription.cursor).toBe(before[1]);
    expect(calls).toMatchObject({ tailId: 1, info: 0, reads: [] });
    const run = consume(subscription);
    await clock.advance(1);
    const after = await append([status(3), status(4)]);
    await settle();
    expect(run.items.map((i) => i.id)).toEqual(after);
    expect(seqs(run.items)).toEqual([3, 4]);
    expect(subscription.cursor).toBe(after[1]);
    subscription.close();
    await run.finished;
    expect(run.state.error).toBeUndefined();
  });

  it('on a stream not written yet starts at 0-0 and gets its first entry', async () => {
    const { subscriber, append } = setup();
    const subscription = subscriber.open(TASK);
    expect(await subscription.ready).toEqual({ topic: TOPIC, startId: '0-0', resumed: false, gap: null, ended: false });
    const run = consume(subscription);
    await settle();
    await append([status(1)]);
    await settle();
    expect(seqs(run.items)).toEqual([1]);
    subscription.close();
    await run.finished;
  });

  it('closed after ready but before iterating: yields nothing and never reads', async () => {
    const { calls, wrap } = counted();
    const { subscriber, append } = setup({ wrap });
    await append([status(1)]);
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    await subscription.ready;
    subscription.close();
    const run = consume(subscription);
    await run.finished;
    expect(run.items).toEqual([]);
    expect(run.state.error).toBeUndefined();
    expect(calls.reads).toEqual([]);
  });

  it('opened with an already aborted signal: the iterator returns at once without reading', async () => {
    const { calls, wrap } = counted();
    const { subscriber, append } = setup({ wrap });
    await append([status(1)]);
    const subscription = subscriber.open(TASK, { lastEventId: '0-0', signal: AbortSignal.abort() });
    const run = consume(subscription);
    await run.finished;
    expect(run.items).toEqual([]);
    expect(run.state.error).toBeUndefined();
    expect(calls.reads).toEqual([]);
  });

  it('an abort of the caller signal after open stops the subscription', async () => {
    const { subscriber, append, memory } = setup();
    const controller = new AbortController();
    const subscription = subscriber.open(TASK, { signal: controller.signal });
    const run = consume(subscription);
    await settle();
    expect(memory.waitingReads).toBe(1);
    controller.abort();
    await run.finished;
    await append([status(1)]);
    await settle();
    expect(run.items).toEqual([]);
    expect(memory.waitingReads).toBe(0);
  });
});

describe('subscription start: resume point', () => {
  it('checks the resume point with one info call and one read of the entry at it (no tail snapshot), then yields strictly after it', async () => {
    const { calls, wrap } = counted();
    const { subscriber, append } = setup({ wrap });
    const ids = await append([status(1), status(2), status(3)]);
    const subscription = subscriber.open(TASK, { lastEventId: ids[0]!, limit: 2 });
    expect(subscription.cursor).toBeUndefined();
    expect(await subscription.ready).toEqual({ topic: TOPIC, startId: ids[0], resumed: true, gap: null, ended: false });
    expect(subscription.cursor).toBe(ids[0]);
    expect(calls).toMatchObject({ tailId: 0, info: 1 });
    expect(calls.reads.map((r) => [r.afterId, r.options?.count, r.options?.blockMs])).toEqual([[previousStreamId(ids[0]!), 1, undefined]]);
    const run = consume(subscription);
    await run.finished;
    expect(seqs(run.items)).toEqual([2, 3]);
    expect(calls.reads[1]?.afterId).toBe(ids[0]);
  });

  it('a bad Last-Event-ID rejects ready and the iterator with INVALID_RESUME_POINT, without calling the backend', async () => {
    const { calls, wrap } = counted();
    const { subscriber } = setup({ wrap });
    const subscription = subscriber.open(TASK, { lastEventId: '$' });
    const err = await rejection(subscription.ready);
    expect(TaskStreamError.is(err, 'INVALID_RESUME_POINT')).toBe(true);
    const run = consume(subscription);
    await run.finished;
    expect(run.state.error).toBe(err);
    expect(calls).toMatchObject({ tailId: 0, info: 0, reads: [] });
  });

  /** 300 entries appended one by one with maxLen 10: the memory backend trims like Redis, in whole nodes. */
  async function trimmed(h: ReturnType<typeof setup>) {
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(...(await h.append([status(i)], { maxLen: 10, ttlSeconds: 600 })));
    const info = (await h.memory.info(TOPIC))!;
    expect(info.length).toBeLessThan(300);
    return { ids, info, retained: ids.slice(300 - info.length) };
  }

  it('a trimmed resume point: ready carries the gap, it is the first item, and limit 1 stops there without reading', async () => {
    const { calls, wrap } = counted();
    const h = setup({ wrap });
    const { ids, info } = await trimmed(h);
    const subscription = h.subscriber.open(TASK, { lastEventId: ids[5]!, untilTerminal: true, limit: 1 });
    const gap = { type: 'gap', reason: 'trimmed', resumeId: ids[5], firstRetainedId: info.firstId, trimmed: 300 - info.length };
    // untilTerminal costs no extra read here: the resume point's entry is gone.
    expect(await subscription.ready).toEqual({ topic: TOPIC, startId: ids[5], resumed: true, gap, ended: false });
    expect(calls.reads).toEqual([]);
    const run = consume(subscription);
    await run.finished;
    expect(run.items).toEqual([{ id: ids[5], event: gap }]);
    expect(calls.reads).toEqual([]);
  });

  it('a trimmed resume point with limit 3: the gap, then the first two retained entries', async () => {
    const h = setup();
    const { ids, retained } = await trimmed(h);
    const subscription = h.subscriber.open(TASK, { lastEventId: ids[5]!, limit: 3 });
    const run = consume(subscription);
    await run.finished;
    expect(run.items.map((i) => i.event.type)).toEqual(['gap', 'task_updated', 'task_updated']);
    expect(run.items.slice(1).map((i) => i.id)).toEqual(retained.slice(0, 2));
  });

  it('untilTerminal on a stream that does not exist: not ended, and no extra read to find out', async () => {
    const { calls, wrap } = counted();
    const { subscriber } = setup({ wrap });
    const subscription = subscriber.open(TASK, { lastEventId: '5-0', untilTerminal: true });
    expect(await subscription.ready).toEqual({ topic: TOPIC, startId: '5-0', resumed: true, gap: null, ended: false });
    expect(calls.reads).toEqual([]);
    subscription.close();
  });

  it('untilTerminal at a terminal entry: the check is one non-blocking read of one entry from just before it', async () => {
    const { calls, wrap } = counted();
    const { subscriber, append } = setup({ wrap });
    const ids = await append([status(1), status(2), status(3, 'COMPLETED')]);
    const subscription = subscriber.open(TASK, { lastEventId: ids[2]!, untilTerminal: true });
    expect((await subscription.ready).ended).toBe(true);
    expect(calls.reads).toHaveLength(1);
    expect(calls.reads[0]!.afterId).toBe(previousStreamId(ids[2]!));
    expect(calls.reads[0]!.options).toMatchObject({ count: 1 });
    expect(calls.reads[0]!.options?.blockMs).toBeUndefined();
  });

  it('untilTerminal at a non-terminal task event or a message event: not ended', async () => {
    const { subscriber, append } = setup();
    const ids = await append([status(1, 'RUNNING'), { type: 'error', seq: 2, message: 'x', fields: {} }]);
    for (const id of ids) {
      const subscription = subscriber.open(TASK, { lastEventId: id, untilTerminal: true });
      expect((await subscription.ready).ended).toBe(false);
      subscription.close();
    }
  });
});

describe('subscription start: a failing backend', () => {
  it('retries a transient tailId failure with exponential backoff on the clock, then starts', async () => {
    let failures = 2;
    const { calls, wrap } = counted({ tailId: () => (failures-- > 0 ? new Error('ECONNRESET') : undefined) });
    const { subscriber, clock } = setup({ wrap, subscriber: { tuning: { retryBaseMs: 100, retryMaxMs: 150 } } });
    const subscription = subscriber.open(TASK);
    let started = false;
    void subscription.ready.then(() => (started = true));
    await settle();
    expect(calls.tailId).toBe(1);
    await clock.advance(99);
    expect(calls.tailId).toBe(1);
    await clock.advance(1);
    expect(calls.tailId).toBe(2);
    // The second delay is 200 capped at 150.
    await clock.advance(149);
    expect(calls.tailId).toBe(2);
    expect(started).toBe(false);
    await clock.advance(1);
    await settle();
    expect(calls.tailId).toBe(3);
    expect(started).toBe(true);
    subscription.close();
  });

  it('retries a transient info failure on resume', async () => {
    let failures = 1;
    const { calls, wrap } = counted({ info: () => (failures-- > 0 ? new TaskStreamError('BACKEND_UNAVAILABLE', 'down') : undefined) });
    const { subscriber, clock, append } = setup({ wrap, subscriber: { tuning: { retryBaseMs: 10 } } });
    const ids = await append([status(1), status(2)]);
    const subscription = subscriber.open(TASK, { lastEventId: ids[0]!, limit: 1 });
    await settle();
    await clock.advance(10);
    expect(await subscription.ready).toMatchObject({ startId: ids[0], resumed: true });
    expect(calls.info).toBe(2);
    const run = consume(subscription);
    await run.finished;
    expect(seqs(run.items)).toEqual([2]);
  });

  it('gives up after exactly maxRetries retries with BACKEND_UNAVAILABLE counting the attempts', async () => {
    const { calls, wrap } = counted({ tailId: () => new Error('ECONNREFUSED') });
    const { subscriber, clock } = setup({ wrap, subscriber: { tuning: { maxRetries: 2, retryBaseMs: 1, retryMaxMs: 1 } } });
    const subscription = subscriber.open(TASK);
    const failed = rejection(subscription.ready);
    await clock.runAll();
    const err = await failed;
    expect(TaskStreamError.is(err, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((err as TaskStreamError).details).toMatchObject({ attempts: 3 });
    expect(calls.tailId).toBe(3);
  });

  it.each(['BACKEND_AUTH', 'BACKEND_COMMAND', 'CLOSED', 'INVALID_ARGUMENT', 'INVALID_STREAM_ID', 'AFTER_TERMINAL', 'DUPLICATE_MESSAGE'] as TaskStreamErrorCode[])('%s at the start is thrown at once, not retried', async (code) => {
    const { calls, wrap } = counted({ info: () => new TaskStreamError(code, 'no') });
    const { subscriber, clock } = setup({ wrap });
    const subscription = subscriber.open(TASK, { lastEventId: '1-0' });
    const err = await rejection(subscription.ready);
    expect(TaskStreamError.is(err, code)).toBe(true);
    expect(calls.info).toBe(1);
    expect(clock.pendingCount).toBe(0);
  });

  it('close() while a start retry waits: ready rejects ABORTED with the backend error as cause, at once', async () => {
    const backendError = new Error('ECONNRESET');
    const { calls, wrap } = counted({ tailId: () => backendError });
    const { subscriber, clock } = setup({ wrap, subscriber: { tuning: { retryBaseMs: 1_000 } } });
    const subscription = subscriber.open(TASK);
    const failed = rejection(subscription.ready);
    await settle();
    expect(clock.pendingCount).toBe(1);
    subscription.close();
    const err = await failed;
    expect(TaskStreamError.is(err, 'ABORTED')).toBe(true);
    expect((err as Error).cause).toMatchObject({ message: backendError.message });
    expect(calls.tailId).toBe(1);
    expect(clock.pendingCount).toBe(0);
  });

  it('a call that fails after close() rejects ABORTED instead of retrying', async () => {
    const backendError = new Error('ECONNRESET');
    let tailIds = 0;
    let subscription: { close(): void } | undefined;
    const { subscriber, clock } = setup({
      wrap: (inner) =>
        wrapRepository(inner, {
          tailId: async () => {
            tailIds++;
            await Promise.resolve();
            subscription?.close();
            throw backendError;
          },
        }),
    });
    subscription = subscriber.open(TASK);
    const err = await rejection((subscription as { ready: Promise<unknown> } & typeof subscription).ready);
    expect(TaskStreamError.is(err, 'ABORTED')).toBe(true);
    expect((err as Error).cause).toMatchObject({ message: backendError.message });
    expect(tailIds).toBe(1);
    expect(clock.pendingCount).toBe(0);
  });
});
