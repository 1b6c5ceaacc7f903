import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import type { ReadOptions, StreamRepository } from '../../../src/ports/stream-repository.js';
import { TASK, TOPIC, consume, seqs, settle, setup, status } from './harness.js';

/** Records every read (time, options) the subscriber makes. */
function recordReads(log: { at: number; options: ReadOptions | undefined }[], now: () => number) {
  return (inner: StreamRepository): StreamRepository =>
    wrapRepository(inner, {
      read: (topic, afterId, options) => {
        log.push({ at: now(), options });
        return inner.read(topic, afterId, options);
      },
    });
}

describe('subscriber: stopping', () => {
  it('abort ends a pending blocking read at once; the iterator returns without error and deletes nothing', async () => {
    const controller = new AbortController();
    const { subscriber, append, memory, clock } = setup({ subscriber: { tuning: { blockMs: 60_000 } } });
    await append([status(0)]);
    const run = consume(subscriber.open(TASK, { signal: controller.signal }));
    await settle();
    expect(run.state.done).toBe(false);
    controller.abort();
    await settle();
    expect(run.state).toEqual({ done: true, error: undefined });
    expect(clock.pendingCount).toBe(0);
    expect((await memory.info(TOPIC))?.length).toBe(1);
  });

  it('return() (a for-await break) while next() is pending aborts the read instead of waiting for blockMs', async () => {
    const { subscriber, clock } = setup({ subscriber: { tuning: { blockMs: 60_000 } } });
    const subscription = subscriber.open(TASK);
    await subscription.ready;
    const iterator = subscription[Symbol.asyncIterator]();
    const pending = iterator.next();
    await settle();
    const returned = iterator.return!();
    await settle();
    await expect(Promise.race([pending, new Promise((r) => setTimeout(() => r('timeout'), 200))])).resolves.toEqual({ done: true, value: undefined });
    await expect(returned).resolves.toEqual({ done: true, value: undefined });
    expect(clock.pendingCount).toBe(0);
  });

  it('for-await break after an item stops the subscription', async () => {
    const { subscriber, append } = setup();
    await append([status(0), status(1)]);
    const seen: number[] = [];
    for await (const item of subscriber.open(TASK, { lastEventId: '0-0' })) {
      if (item.event.type === 'task_updated') seen.push(item.event.seq);
      break;
    }
    expect(seen).toEqual([0]);
  });

  it('an idle blocking subscriber makes one read per blockMs and no other wake-up', async () => {
    const log: { at: number; options: ReadOptions | undefined }[] = [];
    let now = () => 0;
    const { subscriber, clock } = setup({ wrap: recordReads(log, () => now()), subscriber: { tuning: { blockMs: 5_000 } } });
    now = () => clock.now();
    const subscription = subscriber.open(TASK);
    const run = consume(subscription);
    await settle();
    await clock.advance(60_000);
    expect(log.length).toBe(13);
    expect(log.every((r) => r.options?.blockMs === 5_000)).toBe(true);
    subscription.close();
    await run.finished;
  });
});

describe('subscriber: backends that cannot block', () => {
  const nonBlocking = (log: { at: number; options: ReadOptions | undefined }[], now: () => number) => (inner: StreamRepository): StreamRepository =>
    wrapRepository(recordReads(log, now)(inner), { capabilities: { ...inner.capabilities, blockingReads: false } });

  it('polls fast while entries arrive and backs off to pollMaxMs while idle', async () => {
    const log: { at: number; options: ReadOptions | undefined }[] = [];
    let now = () => 0;
    const { subscriber, clock, append } = setup({ wrap: nonBlocking(log, () => now()), subscriber: { tuning: { pollMinMs: 25, pollMaxMs: 400 } } });
    now = () => clock.now();
    const t0 = clock.now();
    const subscription = subscriber.open(TASK);
    const run = consume(subscription);
    await settle();
    await clock.advance(2_000);
    const gaps = log.slice(1).map((r, i) => r.at - log[i]!.at);
    expect(gaps.slice(0, 6)).toEqual([25, 50, 100, 200, 400, 400]);
    expect(log.every((r) => r.options?.blockMs === undefined)).toBe(true);
    await append([status(1)]);
    log.length = 0;
    await clock.advance(400);
    expect(seqs(run.items)).toEqual([1]);
    const afterEntry = log.map((r) => r.at - log[0]!.at);
    expect(afterEntry.slice(0, 3)).toEqual([0, 0, 25]);
    expect(t0).toBeLessThan(clock.now());
    subscription.close();
    await run.finished;
  });
});

describe('subscriber: backend failures', () => {
  function flaky(failures: number, error: () => unknown, calls: number[], now: () => number) {
    return (inner: StreamRepository): StreamRepository => ({
      ...recordReads([], now)(inner),
      read: (topic, afterId, options) => {
        calls.push(now());
        if (calls.length <= failures) return Promise.reject(error());
        return inner.read(topic, afterId, options);
      },
    });
  }

  it('retries transient read failures with capped exponential backoff on the clock, then delivers', async () => {
    const calls: number[] = [];
    let now = () => 0;
    const unavailable = () => new TaskStreamError('BACKEND_UNAVAILABLE', 'connection reset');
    const { subscriber, clock, append } = setup({ wrap: flaky(4, unavailable, calls, () => now()), subscriber: { tuning: { retryBaseMs: 100, retryMaxMs: 300, maxRetries: 8 } } });
    now = () => clock.now();
    await append([status(0)]);
    const run = consume(subscriber.open(TASK, { lastEventId: '0-0' }));
    await settle();
    await clock.advance(2_000);
    expect(calls.slice(1, 5).map((t, i) => t - calls[i]!)).toEqual([100, 200, 300, 300]);
    expect(seqs(run.items)).toEqual([0]);
    expect(run.state.error).toBeUndefined();
  });

  it('throws the backend error after maxRetries consecutive failures', async () => {
    const calls: number[] = [];
    const { subscriber, clock } = setup({
      wrap: flaky(100, () => new Error('socket closed'), calls, () => 0),
      subscriber: { tuning: { retryBaseMs: 10, retryMaxMs: 10, maxRetries: 3 } },
    });
    const run = consume(subscriber.open(TASK, { lastEventId: '0-0' }));
    await settle();
    await clock.advance(1_000);
    expect(calls.length).toBe(4);
    expect(run.state.error).toMatchObject({ name: 'TaskStreamError', code: 'BACKEND_UNAVAILABLE', details: { attempts: 4 } });
  });

  it('throws BACKEND_AUTH at once, without retrying', async () => {
    const calls: number[] = [];
    const { subscriber, clock } = setup({ wrap: flaky(100, () => new TaskStreamError('BACKEND_AUTH', 'bad token'), calls, () => 0) });
    const run = consume(subscriber.open(TASK, { lastEventId: '0-0' }));
    await settle();
    await clock.advance(10);
    expect(calls.length).toBe(1);
    expect(run.state.error).toMatchObject({ code: 'BACKEND_AUTH' });
  });

  it('skips entries a broken backend returns at or before the cursor instead of re-yielding them', async () => {
    const { subscriber, clock, append } = setup({
      wrap: (inner) => ({ ...recordReads([], () => 0)(inner), read: (t, _after, o) => inner.read(t, '0-0', o) }),
    });
    await append([status(0), status(1)]);
    const run = consume(subscriber.open(TASK, { lastEventId: '0-0' }));
    await settle();
    await clock.advance(5_000);
    expect(seqs(run.items)).toEqual([0, 1]);
  });
});

describe('subscriber: a blocking backend that does not block', () => {
  it('falls back to backed-off polling instead of spinning', async () => {
    const log: { at: number; options: ReadOptions | undefined }[] = [];
    let now = () => 0;
    const { subscriber, clock } = setup({
      wrap: (inner) => ({ ...recordReads(log, () => now())(inner), read: (t, a, o) => (log.push({ at: now(), options: o }), inner.read(t, a, { ...o, blockMs: 0 })) }),
      subscriber: { tuning: { blockMs: 5_000, pollMinMs: 25, pollMaxMs: 1_000 } },
    });
    now = () => clock.now();
    const subscription = subscriber.open(TASK);
    const run = consume(subscription);
    await settle();
    await clock.advance(10_000);
    expect(log.length).toBeLessThan(20);
    expect(log.length).toBeGreaterThan(5);
    subscription.close();
    await run.finished;
  });
});

describe('subscriber: start against a failing backend', () => {
  const failingTail = (calls: number[]) => (inner: StreamRepository): StreamRepository => ({
    ...recordReads([], () => 0)(inner),
    tailId: () => {
      calls.push(calls.length);
      return Promise.reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'down'));
    },
  });

  it('ready rejects with the backend error after the bounded retries, and iterating throws it', async () => {
    const calls: number[] = [];
    const { subscriber, clock } = setup({ wrap: failingTail(calls), subscriber: { tuning: { maxRetries: 2, retryBaseMs: 10, retryMaxMs: 10 } } });
    const subscription = subscriber.open(TASK);
    const run = consume(subscription);
    await settle();
    await clock.advance(100);
    await expect(subscription.ready).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await run.finished;
    expect(calls.length).toBe(3);
    expect(run.state.error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });

  it('an abort during the start retries ends the iterator quietly and ready with ABORTED', async () => {
    const controller = new AbortController();
    const { subscriber, clock } = setup({ wrap: failingTail([]), subscriber: { tuning: { maxRetries: 100, retryBaseMs: 1_000, retryMaxMs: 1_000 } } });
    const subscription = subscriber.open(TASK, { signal: controller.signal });
    const run = consume(subscription);
    await settle();
    controller.abort();
    await settle();
    await expect(subscription.ready).rejects.toMatchObject({ code: 'ABORTED' });
    expect(run.state).toEqual({ done: true, error: undefined });
    expect(clock.pendingCount).toBe(0);
  });
});
