import { describe, expect, it } from 'vitest';
import { FakeClock, flushMicrotasks } from '../../../src/adapters/clock/fake-clock.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { agentexCodec } from '../../../src/domain/codec/agentex-codec.js';
import type { EventCodec } from '../../../src/domain/codec/event-codec.js';
import { TaskStreamError, type TaskStreamErrorCode } from '../../../src/domain/errors.js';
import type { MessageDelta, TaskEvent } from '../../../src/domain/events.js';
import { createPublisher } from '../../../src/defaults.js';
import type { PublisherOptions } from '../../../src/domain/publisher/publisher.js';
import type { RetryPolicy } from '../../../src/domain/publisher/publish-queue.js';
import { recordingRepository } from '../../helpers/recording-repository.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { rejection } from '../../helpers/caught.js';

// The append pipeline's retry schedule and failure paths, seen through the publisher: when each
// attempt reaches the backend (FakeClock time), how many attempts there are, which errors are
// retried, and that a queue that gave up never touches the backend again.

const text = (t: string): MessageDelta => ({ type: 'text', textDelta: t });

function setup(retry: Partial<RetryPolicy>, extra: Partial<PublisherOptions> = {}) {
  const clock = new FakeClock(0);
  const repo = recordingRepository(clock);
  const attemptsAt: number[] = [];
  const repository = wrapRepository(repo, {
    append: (request) => {
      attemptsAt.push(clock.now());
      return repo.append(request);
    },
  });
  const errors: TaskStreamError[] = [];
  const publisher = createPublisher({ repository, clock, retry, logger: silentLogger, idGenerator: () => 'pub', onError: (e) => errors.push(e), settings: { coalesce: 'off' }, ...extra });
  const events = async (): Promise<TaskEvent[]> => (await repo.entries('task:t1')).map((e) => agentexCodec.decode(e) as TaskEvent);
  return { clock, repo, attemptsAt, errors, publisher, events };
}


describe('publish queue: retry schedule', () => {
  it('waits baseDelayMs * 2^(attempt-1) before each retry, capped at maxDelayMs', async () => {
    const h = setup({ maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 350 });
    h.repo.failNext(5);
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    const done = ctx.done();
    await h.clock.runAll();
    await done;
    // Delays 100, 200, then 400 and 800 capped at 350.
    expect(h.attemptsAt.slice(0, 6)).toEqual([0, 100, 300, 650, 1000, 1350]);
    expect((await h.events()).map((e) => e.type)).toEqual(['delta', 'done']);
    expect(h.errors).toEqual([]);
  });

  it('a retry is not sent one millisecond early', async () => {
    const h = setup({ maxAttempts: 3, baseDelayMs: 40, maxDelayMs: 1_000 });
    h.repo.failNext(2);
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    await flushMicrotasks();
    expect(h.attemptsAt).toEqual([0]);
    await h.clock.advance(39);
    expect(h.attemptsAt).toEqual([0]);
    await h.clock.advance(1);
    expect(h.attemptsAt).toEqual([0, 40]);
    await h.clock.advance(79);
    expect(h.attemptsAt).toEqual([0, 40]);
    await h.clock.advance(1);
    expect(h.attemptsAt).toEqual([0, 40, 120]);
    await ctx.close();
    expect((await h.events()).map((e) => e.type)).toEqual(['delta', 'done']);
  });

  it('maxAttempts - 1 failures still deliver; maxAttempts failures give up with PUBLISH_FAILED after exactly maxAttempts appends', async () => {
    const ok = setup({ maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1 });
    ok.repo.failNext(3);
    const a = ok.publisher.open('t1');
    a.delta(text('x'));
    const closed = a.close();
    await ok.clock.runAll();
    await closed;
    expect((await ok.events()).map((e) => e.type)).toEqual(['delta', 'done']);

    const bad = setup({ maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1 });
    bad.repo.failNext(4);
    const b = bad.publisher.open('t1');
    b.delta(text('x'));
    const closing = b.close();
    await bad.clock.runAll();
    const err = await rejection(closing);
    expect(TaskStreamError.is(err, 'PUBLISH_FAILED')).toBe(true);
    expect((err as TaskStreamError).details).toMatchObject({ attempts: 4, producerId: b.producerId, unsent: 2 });
    expect(bad.attemptsAt).toHaveLength(4);
    expect(bad.errors).toEqual([err]);
    expect((await bad.events())).toEqual([]);
  });
});

describe('publish queue: which failures are retried', () => {
  it.each(['BACKEND_AUTH', 'BACKEND_COMMAND', 'CLOSED', 'INVALID_ARGUMENT', 'INVALID_STREAM_ID', 'DUPLICATE_MESSAGE'] as TaskStreamErrorCode[])('%s is permanent: one append, then PUBLISH_FAILED', async (code) => {
    const h = setup({ maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 10 });
    h.repo.failNext(Infinity, 'before', () => new TaskStreamError(code, 'refused'));
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    const err = await rejection(ctx.close());
    expect(TaskStreamError.is(err, 'PUBLISH_FAILED')).toBe(true);
    expect(TaskStreamError.is((err as Error).cause, code)).toBe(true);
    expect(h.attemptsAt).toEqual([0]);
    expect(h.clock.pendingCount).toBe(0);
  });

  it.each([
    ['a transient TaskStreamError', () => new TaskStreamError('BACKEND_UNAVAILABLE', 'down')],
    ['a plain Error', () => new Error('socket hang up')],
    ['a thrown non-Error', () => 'weird'],
  ])('%s is retried', async (_what, error) => {
    const h = setup({ maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 });
    h.repo.failNext(2, 'before', error);
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    const closed = ctx.close();
    await h.clock.runAll();
    await closed;
    expect(h.attemptsAt).toEqual([0, 10, 20, 20]);
    expect((await h.events()).map((e) => e.type)).toEqual(['delta', 'done']);
  });
});

describe('publish queue: a queue that gave up', () => {
  // A codec that cannot encode one delta makes the message give up while an append is retrying.
  const picky: EventCodec = {
    ...agentexCodec,
    encode: (event, taskId) => {
      if (event.type === 'delta' && event.delta.type === 'text' && event.delta.textDelta === 'boom') throw new Error('cannot encode');
      return agentexCodec.encode(event, taskId);
    },
  };

  it('cancels a pending retry: the backend sees no further append and no timer is left', async () => {
    const h = setup({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 100 }, { codec: picky, settings: { coalesce: 'per_token' } });
    h.repo.failNext(1);
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    await flushMicrotasks();
    expect(h.attemptsAt).toEqual([0]);
    expect(h.clock.pendingCount).toBe(1);
    ctx.delta(text('boom'));
    await ctx.flush().catch(() => undefined);
    await h.clock.runAll();
    expect(h.attemptsAt).toEqual([0]);
    expect(h.clock.pendingCount).toBe(0);
    expect(h.errors).toHaveLength(1);
    expect(TaskStreamError.is(h.errors[0], 'PUBLISH_FAILED')).toBe(true);
    expect((await h.events())).toEqual([]);
  });

  it('an append that fails after the queue gave up is not retried', async () => {
    const h = setup({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 100 }, { codec: picky, settings: { coalesce: 'per_token' } });
    const release = h.repo.hold();
    h.repo.failNext(1);
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    await flushMicrotasks();
    ctx.delta(text('boom'));
    const flushed = rejection(ctx.flush());
    await flushMicrotasks();
    expect(h.errors).toHaveLength(1);
    release();
    await h.clock.runAll();
    expect(TaskStreamError.is(await flushed, 'PUBLISH_FAILED')).toBe(true);
    expect(h.attemptsAt).toEqual([0]);
    expect(h.clock.pendingCount).toBe(0);
    expect(h.errors).toHaveLength(1);
  });

  it('an append that succeeds after the queue gave up resolves nothing: later waits still reject', async () => {
    const h = setup({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 100 }, { codec: picky, settings: { coalesce: 'per_token' } });
    const release = h.repo.hold();
    const ctx = h.publisher.open('t1');
    ctx.delta(text('a'));
    await flushMicrotasks();
    ctx.delta(text('boom'));
    await rejection(ctx.flush());
    release();
    await h.clock.runAll();
    expect((await h.events()).map((e) => e.type)).toEqual(['delta']);
    // The delta did land, but the message has a hole after it: nothing may report success.
    expect(TaskStreamError.is(await rejection(ctx.flush()), 'PUBLISH_FAILED')).toBe(true);
    expect(TaskStreamError.is(await rejection(ctx.close()), 'PUBLISH_FAILED')).toBe(true);
    expect(h.attemptsAt).toEqual([0]);
  });
});
