import { describe, expect, it } from 'vitest';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { TaskEvent } from '../../../src/domain/events.js';
import { TASK, consume, settle, setup } from './harness.js';

const delta = (seq: number): TaskEvent => ({ type: 'delta', index: 0, seq, delta: { type: 'text', textDelta: `s${seq}` } });
/** The text of a delta item, or `done`. */
const textOf = (r: IteratorResult<{ readonly event: unknown }, unknown>): string =>
  r.done === true ? 'done' : ((r.value.event as { delta?: { textDelta?: string } }).delta?.textDelta ?? '?');

describe('subscription iteration: a read is handed out item by item', () => {
  it('a consumer that stops after two items of a ten-entry read has lastSeqs and cursor at the second', async () => {
    const { subscriber, append } = setup();
    const ids = await append(Array.from({ length: 10 }, (_, seq) => delta(seq)));
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.id).toBe(ids[0]);
    expect((await iterator.next()).value?.id).toBe(ids[1]);
    await settle();
    expect(subscription.lastSeqs()).toEqual({ 'index:0': 1 });
    expect(subscription.cursor).toBe(ids[1]);
    expect(await iterator.return!()).toEqual({ done: true, value: undefined });
    expect(subscription.lastSeqs()).toEqual({ 'index:0': 1 });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('close() between two items of one read ends the iteration before the next item', async () => {
    const { subscriber, append } = setup();
    await append([delta(0), delta(1), delta(2)]);
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    subscription.close();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(subscription.lastSeqs()).toEqual({ 'index:0': 0 });
  });

  it('calls made without waiting are served in call order, across reads', async () => {
    const { subscriber, append } = setup();
    const subscription = subscriber.open(TASK, { lastEventId: '0-0', limit: 5 });
    const iterator = subscription[Symbol.asyncIterator]();
    const calls = Array.from({ length: 6 }, () => iterator.next());
    await append([delta(0), delta(1)]);
    await settle();
    await append([delta(2)]);
    await settle();
    await append([delta(3), delta(4), delta(5)]);
    expect((await Promise.all(calls)).map(textOf)).toEqual(['s0', 's1', 's2', 's3', 's4', 'done']);
  });

  it('return() while a read is pending ends it at once and closes the subscription', async () => {
    const { subscriber } = setup();
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    const iterator = subscription[Symbol.asyncIterator]();
    const pending = iterator.next();
    await settle();
    expect(await iterator.return!()).toEqual({ done: true, value: undefined });
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('throw() rejects with the error, closes, and leaves the iterator done', async () => {
    const { subscriber, append } = setup();
    await append([delta(0), delta(1)]);
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    const iterator = subscription[Symbol.asyncIterator]();
    await iterator.next();
    await expect(iterator.throw!(new Error('boom'))).rejects.toThrow('boom');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('a read that fails for good rejects the call that needed it, after the items already read; later calls are done', async () => {
    let reads = 0;
    const { subscriber, append } = setup({
      wrap: (inner) =>
        wrapRepository(inner, {
          read: (t, a, o) => (++reads === 2 ? Promise.reject(new TaskStreamError('BACKEND_COMMAND', 'refused')) : inner.read(t, a, o)),
        }),
    });
    await append([delta(0), delta(1)]);
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    const run = consume(subscription);
    await run.finished;
    expect(run.items.map((i) => i.event.type)).toEqual(['delta', 'delta']);
    expect((run.state.error as TaskStreamError).code).toBe('BACKEND_COMMAND');
    expect(await run.iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('close() while a call waits for a start that keeps failing ends that call quietly (done), not with ABORTED', async () => {
    const { subscriber } = setup({
      wrap: (inner) => wrapRepository(inner, { tailId: () => Promise.reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'down')) }),
    });
    const subscription = subscriber.open(TASK);
    const iterator = subscription[Symbol.asyncIterator]();
    const pending = iterator.next();
    await settle();
    subscription.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    await expect(subscription.ready).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('close() while a call waits for a failed read\'s retry ends that call quietly (done), not with ABORTED', async () => {
    const { subscriber } = setup({
      wrap: (inner) => wrapRepository(inner, { read: () => Promise.reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'down')) }),
    });
    const subscription = subscriber.open(TASK);
    await subscription.ready;
    const iterator = subscription[Symbol.asyncIterator]();
    const pending = iterator.next();
    await settle(); // the read failed; the retry waits on the clock
    subscription.close();
    expect(await pending).toEqual({ done: true, value: undefined });
  });
});
