// Readers of one stream in one process share one backend read; it is aborted when the last leaves.
import { describe, expect, it } from 'vitest';
import { createMemoryRepository, FakeClock, flushMicrotasks } from 'taskstream';
import { wrapRepository } from 'taskstream/conformance';
import { createResumableStreamContext } from 'taskstream/resumable-stream';
import { ReadSeat, SharedReads } from '../../src/resumable-stream/shared-reads.js';
import { manualSource, readAll } from './support.js';

describe('shared reads', () => {
  it('three readers of a stream wait on one blocking backend read, and each gets every chunk', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    let waiting = 0;
    let most = 0;
    const signals: AbortSignal[] = [];
    const counting = wrapRepository(inner, {
      async read(topic, afterId, options) {
        if ((options?.blockMs ?? 0) === 0) return inner.read(topic, afterId, options);
        if (options?.signal) signals.push(options.signal);
        waiting++;
        most = Math.max(most, waiting);
        try {
          return await inner.read(topic, afterId, options);
        } finally {
          waiting--;
        }
      },
    });
    const context = createResumableStreamContext({ waitUntil: null, clock, repository: counting, batching: 'per_chunk' });
    const source = manualSource();
    const own = await context.createNewResumableStream('s', () => source.stream);
    const readers = await Promise.all([1, 2, 3].map(() => context.resumeExistingStream('s')));
    const texts = readers.map((r) => readAll(r!));
    for (const chunk of ['a', 'b', 'c']) {
      await flushMicrotasks();
      source.push(chunk);
    }
    source.end();
    expect(await Promise.all([readAll(own!), ...texts])).toEqual(['abc', 'abc', 'abc', 'abc']);
    // The writer's stop watch is one more blocking read (on its control topic).
    expect(most).toBe(2);
    expect(signals.length).toBeGreaterThan(0);
  });

  it('the backend read is aborted once every reader waiting on it cancelled', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    const dataReads: AbortSignal[] = [];
    const recording = wrapRepository(inner, {
      read(topic, afterId, options) {
        if ((options?.blockMs ?? 0) > 0 && !topic.endsWith(':ctl') && options?.signal) dataReads.push(options.signal);
        return inner.read(topic, afterId, options);
      },
    });
    const context = createResumableStreamContext({ waitUntil: null, clock, repository: recording });
    const source = manualSource();
    await context.createNewResumableStream('s', () => source.stream);
    const [first, second] = await Promise.all([context.resumeExistingStream('s'), context.resumeExistingStream('s')]);
    const a = first!.getReader();
    const b = second!.getReader();
    const pendingA = a.read();
    const pendingB = b.read();
    await flushMicrotasks();
    expect(dataReads).toHaveLength(1);
    await a.cancel();
    await flushMicrotasks();
    expect(dataReads[0]!.aborted).toBe(false);
    await b.cancel();
    await flushMicrotasks();
    expect(dataReads[0]!.aborted).toBe(true);
    expect(await pendingA).toEqual({ done: true, value: undefined });
    expect(await pendingB).toEqual({ done: true, value: undefined });
    source.end();
  });

  it('a reader never joins a read that would hold it past its own deadline (a writer lease it times)', async () => {
    const clock = new FakeClock();
    const reads = new SharedReads(createMemoryRepository({ clock }), clock);
    let longDone = false;
    let shortDone = false;
    void reads.read('t', '0-0', 10, 5_000, new ReadSeat(new AbortController().signal)).then(() => (longDone = true));
    void reads.read('t', '0-0', 10, 1_000, new ReadSeat(new AbortController().signal)).then(() => (shortDone = true));
    await clock.advance(1_000);
    await flushMicrotasks();
    expect([shortDone, longDone]).toEqual([true, false]);
    await clock.advance(4_000);
    await flushMicrotasks();
    expect(longDone).toBe(true);
  });

  it('a reader waits for the next entry before its consumer asks (a piped consumer never finds it unregistered)', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    let waitingOnData = 0;
    const counting = wrapRepository(inner, {
      async read(topic, afterId, options) {
        const blocking = (options?.blockMs ?? 0) > 0 && !topic.endsWith(':ctl');
        if (blocking) waitingOnData++;
        try {
          return await inner.read(topic, afterId, options);
        } finally {
          if (blocking) waitingOnData--;
        }
      },
    });
    const context = createResumableStreamContext({ waitUntil: null, clock, repository: counting, batching: 'per_chunk' });
    const source = manualSource();
    await context.createNewResumableStream('s', () => source.stream);
    const reader = (await context.resumeExistingStream('s'))!.getReader();
    source.push('a');
    expect(await reader.read()).toEqual({ done: false, value: 'a' });
    await flushMicrotasks();
    expect(waitingOnData).toBe(1);
    source.push('b');
    source.end();
    await flushMicrotasks();
    expect(await reader.read()).toEqual({ done: false, value: 'b' });
    expect((await reader.read()).done).toBe(true);
  });
});
