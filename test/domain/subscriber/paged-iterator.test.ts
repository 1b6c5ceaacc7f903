import { describe, expect, it } from 'vitest';
import { PagedIterator } from '../../../src/domain/subscriber/paged-iterator.js';
import type { TaskEvent } from '../../../src/domain/events.js';
import { TASK, setup, settle } from './harness.js';

/** A source of pages whose steps are logged, so a test can see when a page's code runs. */
function source(pages: readonly (readonly number[])[], log: string[], failAfter = Number.POSITIVE_INFINITY) {
  return (async function* () {
    try {
      for (const [p, items] of pages.entries()) {
        if (p >= failAfter) throw new Error(`page ${p} failed`);
        log.push(`read ${p}`);
        yield (function* () {
          for (const item of items) {
            log.push(`make ${item}`);
            yield item;
          }
        })();
      }
    } finally {
      log.push('finally');
    }
  })();
}

async function drain(iterator: AsyncIterator<number, void>): Promise<number[]> {
  const out: number[] = [];
  for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) out.push(r.value);
  return out;
}

describe('PagedIterator', () => {
  it('hands out every item of every page in order, skips empty pages, then stays done', async () => {
    const log: string[] = [];
    const it = new PagedIterator(source([[1, 2], [], [3], [4, 5, 6]], log), () => log.push('stop'));
    expect(await drain(it)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(log.filter((l) => l === 'finally')).toHaveLength(1);
    expect(log).not.toContain('stop');
  });

  it('makes an item only when it is asked for, and reads the next page only after the last item is taken', async () => {
    const log: string[] = [];
    const it = new PagedIterator(source([[1, 2], [3]], log), () => undefined);
    expect((await it.next()).value).toBe(1);
    expect(log).toEqual(['read 0', 'make 1']);
    expect((await it.next()).value).toBe(2);
    expect(log).toEqual(['read 0', 'make 1', 'make 2']);
    expect((await it.next()).value).toBe(3);
    expect(log).toEqual(['read 0', 'make 1', 'make 2', 'read 1', 'make 3']);
  });

  it('serves calls made without waiting in call order', async () => {
    const it = new PagedIterator(source([[1], [2, 3], [4]], []), () => undefined);
    const results = await Promise.all([it.next(), it.next(), it.next(), it.next(), it.next()]);
    expect(results).toEqual([
      { done: false, value: 1 },
      { done: false, value: 2 },
      { done: false, value: 3 },
      { done: false, value: 4 },
      { done: true, value: undefined },
    ]);
  });

  it('return mid-page stops first, makes nothing more and runs the source\'s finally', async () => {
    const log: string[] = [];
    const it = new PagedIterator(source([[1, 2, 3], [4]], log), () => log.push('stop'));
    await it.next();
    expect(await it.return!()).toEqual({ done: true, value: undefined });
    expect(log).toEqual(['read 0', 'make 1', 'stop', 'finally']);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('throw stops, rejects with the error at the source and leaves it done', async () => {
    const log: string[] = [];
    const it = new PagedIterator(source([[1, 2]], log), () => log.push('stop'));
    await it.next();
    await expect(it.throw!(new Error('boom'))).rejects.toThrow('boom');
    expect(log).toEqual(['read 0', 'make 1', 'stop', 'finally']);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('a source that fails rejects the call that needed its page, after the items before it; later calls are done', async () => {
    const it = new PagedIterator(source([[1, 2], [3]], [], 1), () => undefined);
    expect((await it.next()).value).toBe(1);
    expect((await it.next()).value).toBe(2);
    const failed = it.next();
    const after = it.next();
    await expect(failed).rejects.toThrow('page 1 failed');
    expect(await after).toEqual({ done: true, value: undefined });
  });
});

describe('subscription pages: a read is decoded as it is consumed', () => {
  const delta = (seq: number): TaskEvent => ({ type: 'delta', index: 0, seq, delta: { type: 'text', textDelta: `s${seq}` } });

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
    await iterator.return!();
    expect(subscription.lastSeqs()).toEqual({ 'index:0': 1 });
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
});
