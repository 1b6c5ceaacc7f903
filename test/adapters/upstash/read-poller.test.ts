import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { ReadPoller, type BatchRead } from '../../../src/adapters/upstash/read-poller.js';
import type { StreamEntry, TopicCursor } from '../../../src/ports/stream-repository.js';

/** A fake batch reader over in-memory topics that records every call. */
function fakeBackend() {
  const topics = new Map<string, StreamEntry[]>();
  const calls: { cursors: TopicCursor[]; count: number }[] = [];
  let seq = 0;
  const read: BatchRead = async (cursors, count) => {
    calls.push({ cursors: [...cursors], count });
    return cursors.map((c) => {
      const after = Number(c.afterId.split('-')[0]);
      const all = (topics.get(c.topic) ?? []).filter((e) => Number(e.id.split('-')[0]) > after);
      return count > 0 ? all.slice(0, count) : all;
    });
  };
  const add = (topic: string): string => {
    const id = `${++seq}-0`;
    topics.set(topic, [...(topics.get(topic) ?? []), { id, fields: { n: String(seq) } }]);
    return id;
  };
  return { read, calls, add };
}

/** A subscriber-like loop: read, then sleep with its own doubling backoff (as the domain subscriber does). */
function subscriberLoop(poller: ReadPoller, clock: FakeClock, topic: string, stop: { done: boolean }, seen: string[]) {
  let cursor = '0-0';
  let backoff = 25;
  return (async () => {
    while (!stop.done) {
      const [entries] = await poller.read([{ topic, afterId: cursor }], 100);
      if (entries!.length > 0) {
        for (const e of entries!) seen.push(e.id);
        cursor = entries!.at(-1)!.id;
        backoff = 25;
        continue;
      }
      await new Promise<void>((r) => clock.setTimeout(r, backoff));
      backoff = Math.min(1000, backoff * 2);
    }
  })();
}

describe('ReadPoller (multiplexed adaptive polling)', () => {
  it('answers many concurrent reads with one batched request', async () => {
    const clock = new FakeClock();
    const backend = fakeBackend();
    const poller = new ReadPoller(backend.read, { clock, minMs: 25, maxMs: 1000 });
    backend.add('a');
    const reads = Array.from({ length: 100 }, (_, i) => poller.read([{ topic: i % 2 ? 'a' : 'b', afterId: '0-0' }], i + 1));
    await clock.advance(0);
    const results = await Promise.all(reads);
    expect(backend.calls).toHaveLength(1);
    expect(backend.calls[0]!.cursors).toHaveLength(2); // identical cursors are read once
    expect(results[1]![0]!.map((e) => e.id)).toEqual(['1-0']);
    expect(results[0]![0]).toEqual([]);
  });

  it('backs off while idle, speeds up when entries arrive, and holds no timer with nothing queued', async () => {
    const clock = new FakeClock();
    const backend = fakeBackend();
    const poller = new ReadPoller(backend.read, { clock, minMs: 25, maxMs: 400 });
    expect(clock.pendingCount).toBe(0);
    const intervals: number[] = [];
    for (let i = 0; i < 6; i++) {
      const pending = poller.read([{ topic: 't', afterId: '0-0' }], 10);
      await clock.runAll();
      await pending;
      intervals.push(poller.intervalMs);
    }
    expect(intervals).toEqual([50, 100, 200, 400, 400, 400]);
    backend.add('t');
    const pending = poller.read([{ topic: 't', afterId: '0-0' }], 10);
    await clock.runAll();
    expect((await pending)[0]).toHaveLength(1);
    expect(poller.intervalMs).toBe(25);
    expect(clock.pendingCount).toBe(0);
    const firedBefore = clock.firedCount;
    await clock.advance(60_000);
    expect(clock.firedCount).toBe(firedBefore);
  });

  it('resolves an aborted read at once with nothing, and drops its timer', async () => {
    const clock = new FakeClock();
    const backend = fakeBackend();
    const poller = new ReadPoller(backend.read, { clock, minMs: 25, maxMs: 400 });
    const first = poller.read([{ topic: 't', afterId: '0-0' }], 1);
    await clock.advance(0);
    await first;
    const controller = new AbortController();
    const reading = poller.read([{ topic: 't', afterId: '0-0' }], 1, controller.signal);
    await clock.advance(0);
    expect(clock.pendingCount).toBe(1); // the next poll waits for its interval
    controller.abort();
    expect(await reading).toEqual([[]]);
    expect(backend.calls).toHaveLength(1);
    expect(clock.pendingCount).toBe(0);
  });

  it('rejects queued reads with CLOSED on close', async () => {
    const clock = new FakeClock();
    const poller = new ReadPoller(fakeBackend().read, { clock, minMs: 25, maxMs: 400 });
    await clock.advance(0);
    const reading = poller.read([{ topic: 't', afterId: '0-0' }], 1);
    poller.close();
    await expect(reading).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(poller.read([{ topic: 't', afterId: '0-0' }], 1)).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('costs at most 60000/maxMs requests a minute for 100 idle subscribers, and delivers everything when active', async () => {
    const clock = new FakeClock();
    const backend = fakeBackend();
    const poller = new ReadPoller(backend.read, { clock, minMs: 25, maxMs: 1000 });
    const stop = { done: false };
    const seen: string[][] = Array.from({ length: 100 }, () => []);
    const loops = seen.map((s, i) => subscriberLoop(poller, clock, `topic-${i % 10}`, stop, s));
    await clock.advance(10_000); // settle into the idle rhythm
    const idleStart = backend.calls.length;
    await clock.advance(60_000);
    const idlePerMinute = backend.calls.length - idleStart;
    expect(idlePerMinute).toBeLessThanOrEqual(61);
    expect(idlePerMinute).toBeGreaterThanOrEqual(20);

    const activeStart = backend.calls.length;
    const written: string[][] = Array.from({ length: 10 }, () => []);
    for (let ms = 0; ms < 60_000; ms += 50) {
      const t = (ms / 50) % 10;
      written[t]!.push(backend.add(`topic-${t}`));
      await clock.advance(50);
    }
    const activePerMinute = backend.calls.length - activeStart;
    await clock.advance(5_000);
    stop.done = true;
    await clock.runAll();
    await Promise.all(loops);
    seen.forEach((s, i) => expect(s).toEqual(written[i % 10]));
    expect(activePerMinute).toBeLessThanOrEqual(60_000 / 25 + 1);
    console.log(`poller (fake clock, 100 subscribers on 10 topics): idle ${idlePerMinute} req/min; active (20 appends/s) ${activePerMinute} req/min, ${(activePerMinute / 1200).toFixed(2)} req per append`);
  });
});
