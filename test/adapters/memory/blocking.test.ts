import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../../../src/adapters/clock/fake-clock.js';
import { delta, setup } from './helpers.js';

/** Tracks whether a promise settled, without awaiting it. */
function track<T>(promise: Promise<T>): { settled: () => boolean; value: Promise<T> } {
  let settled = false;
  void promise.then(() => (settled = true), () => (settled = true));
  return { settled: () => settled, value: promise };
}

describe('memory repository blocking reads', () => {
  it('wakes on an append after the cursor, returns it, and clears its timer', async () => {
    const { clock, repo } = setup();
    const read = track(repo.read('t', '0-0', { blockMs: 5000 }));
    await flushMicrotasks();
    expect(read.settled()).toBe(false);
    expect(clock.pendingCount).toBe(1);
    const { ids } = await repo.append({ topic: 't', entries: [delta(1), delta(2)], maxLen: 0, ttlSeconds: 0 });
    expect((await read.value).map((e) => e.id)).toEqual(ids);
    expect(clock.pendingCount).toBe(0);
    expect(repo.waitingReads).toBe(0);
  });

  it('times out at exactly blockMs of clock time with nothing', async () => {
    const { clock, repo } = setup();
    const read = track(repo.read('t', '0-0', { blockMs: 1000 }));
    await clock.advance(999);
    expect(read.settled()).toBe(false);
    await clock.advance(1);
    expect(read.settled()).toBe(true);
    expect(await read.value).toEqual([]);
    expect(clock.pendingCount).toBe(0);
  });

  it('resolves an aborted read promptly with nothing and clears its timer', async () => {
    const { clock, repo } = setup();
    const controller = new AbortController();
    const read = track(repo.read('t', '0-0', { blockMs: 60_000, signal: controller.signal }));
    await flushMicrotasks();
    controller.abort();
    await flushMicrotasks();
    expect(read.settled()).toBe(true);
    expect(await read.value).toEqual([]);
    expect(clock.pendingCount).toBe(0);
    expect(repo.waitingReads).toBe(0);
  });

  it('an already aborted signal returns at once without a timer', async () => {
    const { clock, repo } = setup();
    const controller = new AbortController();
    controller.abort();
    expect(await repo.read('t', '0-0', { blockMs: 1000, signal: controller.signal })).toEqual([]);
    expect(clock.scheduledCount).toBe(0);
  });

  it('blockMs 0 or absent returns at once and holds no timer', async () => {
    const { clock, repo } = setup();
    expect(await repo.read('t', '0-0', { blockMs: 0 })).toEqual([]);
    expect(await repo.read('t', '0-0')).toEqual([]);
    expect(await repo.readMany([{ topic: 't', afterId: '0-0' }], { blockMs: 0 })).toEqual([]);
    expect(clock.scheduledCount).toBe(0);
  });

  it('does not wait when entries are already there', async () => {
    const { clock, repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    expect(await repo.read('t', '0-0', { blockMs: 1000 })).toHaveLength(1);
    expect(clock.scheduledCount).toBe(0);
  });

  it('keeps waiting when the append lands at or before its cursor', async () => {
    const { clock, repo } = setup();
    const future = `${clock.now() + 10_000}-0`;
    const read = track(repo.read('t', future, { blockMs: 20_000 }));
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    await flushMicrotasks();
    expect(read.settled()).toBe(false);
    await clock.advance(10_001);
    const { ids } = await repo.append({ topic: 't', entries: [delta(2)], maxLen: 0, ttlSeconds: 0 });
    expect((await read.value).map((e) => e.id)).toEqual(ids);
  });

  it('wakes a multi-topic read on an append to any of its topics, with only that topic', async () => {
    const { clock, repo } = setup();
    const read = repo.readMany(
      [
        { topic: 'a', afterId: '0-0' },
        { topic: 'b', afterId: '0-0' },
      ],
      { blockMs: 1000 },
    );
    await repo.append({ topic: 'c', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    await repo.append({ topic: 'b', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    const result = await read;
    expect(result.map((r) => r.topic)).toEqual(['b']);
    expect(clock.pendingCount).toBe(0);
  });

  it('applies count to what a woken read returns', async () => {
    const { repo } = setup();
    const read = repo.read('t', '0-0', { blockMs: 1000, count: 2 });
    await repo.append({ topic: 't', entries: [delta(1), delta(2), delta(3)], maxLen: 0, ttlSeconds: 0 });
    expect((await read).map((e) => e.fields.seq)).toEqual(['1', '2']);
  });

  it('serves every read waiting on a topic', async () => {
    const { repo } = setup();
    const reads = [repo.read('t', '0-0', { blockMs: 1000 }), repo.read('t', '0-0', { blockMs: 2000 })];
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    expect((await Promise.all(reads)).map((r) => r.length)).toEqual([1, 1]);
  });

  it('a multi-topic read with no cursors waits out blockMs instead of spinning', async () => {
    const { clock, repo } = setup();
    const read = track(repo.readMany([], { blockMs: 500 }));
    await clock.advance(499);
    expect(read.settled()).toBe(false);
    await clock.advance(1);
    expect(await read.value).toEqual([]);
  });

  it('deleteTopic wakes nobody', async () => {
    const { repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    const tail = await repo.tailId('t');
    const read = track(repo.read('t', tail, { blockMs: 1000 }));
    expect(await repo.deleteTopic('t')).toBe(true);
    await flushMicrotasks();
    expect(read.settled()).toBe(false);
    expect(repo.waitingReads).toBe(1);
  });

  it('close resolves blocked reads with nothing and clears their timers', async () => {
    const { clock, repo } = setup();
    const one = repo.read('t', '0-0', { blockMs: 60_000 });
    const many = repo.readMany([{ topic: 'u', afterId: '0-0' }], { blockMs: 60_000 });
    await repo.close();
    expect(await one).toEqual([]);
    expect(await many).toEqual([]);
    expect(clock.pendingCount).toBe(0);
  });
});
