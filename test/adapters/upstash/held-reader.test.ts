import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { HeldReader, type HeldReaderSettings, type HeldRead } from '../../../src/adapters/upstash/held-reader.js';
import type { BatchRead } from '../../../src/adapters/upstash/read-poller.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { StreamEntry, TopicCursor } from '../../../src/ports/stream-repository.js';

const turn = async (n = 3): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

interface Call {
  readonly cursors: TopicCursor[];
  readonly count: number;
  readonly blockMs: number;
  readonly signal: AbortSignal;
  settled: boolean;
}

/**
 * A fake server for held reads over in-memory topics: a call with entries after its cursors
 * answers at once, otherwise it waits for an append. `onAbort` says what an aborted call does:
 * reject like fetch, answer late with what the topics hold (a response that crossed the abort),
 * or never settle (a dead connection).
 */
function fakeServer(onAbort: 'reject' | 'late-answer' | 'never' = 'reject') {
  const topics = new Map<string, StreamEntry[]>();
  const calls: Call[] = [];
  const waiting: (() => void)[] = [];
  let seq = 0;
  let mode: 'serve' | 'hang' | 'fail' | 'refuse' | 'ignore-block' = 'serve';
  const after = (c: TopicCursor, count: number): StreamEntry[] => {
    const from = Number(c.afterId.split('-')[0]);
    const all = (topics.get(c.topic) ?? []).filter((e) => Number(e.id.split('-')[0]) > from);
    return count > 0 ? all.slice(0, count) : all;
  };
  const probe: BatchRead = async (cursors, count) => {
    if (cursors.some((c) => c.topic.startsWith('bad'))) throw new TaskStreamError('BACKEND_COMMAND', 'WRONGTYPE not a stream');
    return cursors.map((c) => after(c, count));
  };
  const held: HeldRead = (cursors, count, blockMs, signal) => {
    const call: Call = { cursors: [...cursors], count, blockMs, signal, settled: false };
    calls.push(call);
    return new Promise<StreamEntry[][]>((resolve, reject) => {
      const done = (fn: () => void): void => {
        if (call.settled) return;
        call.settled = true;
        fn();
      };
      if (mode === 'fail') return done(() => reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'upstash read failed: fetch failed')));
      if (mode === 'refuse') return done(() => reject(new TaskStreamError('BACKEND_COMMAND', 'ERR blocking command XREAD is not supported')));
      if (mode === 'ignore-block') return done(() => resolve(cursors.map((c) => after(c, count))));
      if (cursors.some((c) => c.topic.startsWith('bad'))) return done(() => reject(new TaskStreamError('BACKEND_COMMAND', 'WRONGTYPE not a stream')));
      const tryAnswer = (): boolean => {
        if (mode === 'hang') return false;
        const lists = cursors.map((c) => after(c, count));
        if (lists.every((l) => l.length === 0)) return false;
        done(() => resolve(lists));
        return true;
      };
      signal.addEventListener('abort', () => {
        if (onAbort === 'reject') done(() => reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'no answer (AbortError)')));
        if (onAbort === 'late-answer') queueMicrotask(() => done(() => resolve(cursors.map((c) => after(c, count)))));
      });
      if (!tryAnswer()) waiting.push(() => void tryAnswer());
    });
  };
  const add = (topic: string, n = 1): string[] => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `${++seq}-0`;
      topics.set(topic, [...(topics.get(topic) ?? []), { id, fields: { n: String(seq) } }]);
      ids.push(id);
    }
    for (const wake of waiting.splice(0)) wake();
    return ids;
  };
  const inFlight = (): Call[] => calls.filter((c) => !c.settled && !c.signal.aborted);
  return { held, probe, calls, add, inFlight, setMode: (m: typeof mode) => (mode = m) };
}

function setup(onAbort: 'reject' | 'late-answer' | 'never' = 'reject', overrides: Partial<HeldReaderSettings> = {}) {
  const clock = new FakeClock();
  const server = fakeServer(onAbort);
  const refused: TaskStreamError[] = [];
  const reader = new HeldReader(server.held, server.probe, {
    clock,
    logger: undefined,
    blockMs: 10_000,
    requestTimeoutMs: 15_000,
    onRefused: (error) => {
      refused.push(error);
      return undefined;
    },
    ...overrides,
  });
  return { clock, server, reader, refused };
}

/** A read the test does not await (close() rejects it with CLOSED). */
const pending = (read: Promise<unknown>): void => void read.catch(() => undefined);

const ids = (lists: StreamEntry[][]): string[][] => lists.map((l) => l.map((e) => e.id));

describe('HeldReader (one held XREAD … BLOCK for all waiting reads)', () => {
  it('serves 100 waiting reads on 10 topics with one held request, and hands each only its topics', async () => {
    const { server, reader } = setup();
    const reads = Array.from({ length: 100 }, (_, i) => reader.read([{ topic: `t${i % 10}`, afterId: '0-0' }], 10, 60_000));
    reads.forEach(pending);
    await turn();
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]!.cursors.map((c) => c.topic).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`).sort());
    expect(server.calls[0]!.blockMs).toBe(10_000);
    const [id] = server.add('t3');
    await turn();
    const served = await Promise.all(reads.filter((_, i) => i % 10 === 3));
    for (const lists of served) expect(ids(lists)).toEqual([[id]]);
    expect(reader.waiting).toBe(90);
    // The next round covers the 9 other topics only (the served readers did not come back).
    expect(server.inFlight()).toHaveLength(1);
    expect(server.inFlight()[0]!.cursors.map((c) => c.topic)).not.toContain('t3');
    reader.close();
  });

  it('does not interrupt the held request for a read it already covers', async () => {
    const { server, reader } = setup();
    pending(reader.read([{ topic: 'a', afterId: '0-0' }], 10, 60_000));
    await turn();
    pending(reader.read([{ topic: 'a', afterId: '0-0' }], 10, 60_000));
    pending(reader.read([{ topic: 'a', afterId: '5-0' }], 10, 60_000)); // newer cursor: covered
    await turn();
    expect(server.calls).toHaveLength(1);
    expect(reader.stats.interrupts).toBe(0);
    reader.close();
  });

  it('re-issues the held request when a new topic or an older cursor joins, and discards what the aborted request answered', async () => {
    const { server, reader } = setup('late-answer');
    const [first] = server.add('a');
    const newer = reader.read([{ topic: 'a', afterId: first! }], 10, 60_000);
    await turn();
    expect(server.inFlight()).toHaveLength(1);
    // Joins with a new topic whose entries already exist: the aborted request answers with them
    // after the abort, and the reader must not hand them out from there.
    server.add('b');
    const other = reader.read([{ topic: 'b', afterId: '0-0' }], 10, 60_000);
    const older = reader.read([{ topic: 'a', afterId: '0-0' }], 10, 60_000);
    await turn(6);
    expect(reader.stats.interrupts).toBe(1);
    expect(ids(await other)).toEqual([['2-0']]);
    expect(ids(await older)).toEqual([[first!]]);
    // The round after the abort started from the older cursor and the new topic.
    expect(server.calls[1]!.cursors).toEqual([
      { topic: 'a', afterId: '0-0' },
      { topic: 'b', afterId: '0-0' },
    ]);
    const [third] = server.add('a');
    await turn();
    expect(ids(await newer)).toEqual([[third!]]);
    reader.close();
  });

  it('loses and repeats nothing across many interrupts (each reader sees every entry once, in order)', async () => {
    const { server, reader } = setup('late-answer');
    const seen = new Map<string, string[]>();
    let stop = false;
    const loop = async (topic: string, name: string): Promise<void> => {
      let cursor = '0-0';
      seen.set(name, []);
      while (!stop) {
        const [entries] = await reader.read([{ topic, afterId: cursor }], 3, 60_000);
        for (const e of entries!) seen.get(name)!.push(e.id);
        if (entries!.length > 0) cursor = entries!.at(-1)!.id;
      }
    };
    const loops = ['a', 'b', 'c'].flatMap((t) => [loop(t, `${t}1`), loop(t, `${t}2`)]);
    const written = new Map<string, string[]>([['a', []], ['b', []], ['c', []]]);
    for (let i = 0; i < 60; i++) {
      const topic = ['a', 'b', 'c'][i % 3]!;
      written.get(topic)!.push(...server.add(topic, 1 + (i % 4)));
      if (i % 7 === 0) pending(reader.read([{ topic: `new${i}`, afterId: '0-0' }], 1, 60_000)); // forces an interrupt
      await turn(i % 3);
    }
    await turn(20);
    stop = true;
    reader.close();
    await Promise.allSettled(loops);
    expect(reader.stats.interrupts).toBeGreaterThan(0);
    for (const [name, got] of seen) expect(got, name).toEqual(written.get(name[0]!));
  });

  it('sends a held request that gets no answer within the request timeout again, from the same cursors', async () => {
    const { clock, server, reader } = setup('reject');
    server.setMode('hang');
    const read = reader.read([{ topic: 'a', afterId: '0-0' }], 10, 60_000);
    await turn();
    expect(server.calls).toHaveLength(1);
    server.add('a'); // appended while the request hangs: it must not be skipped
    await clock.advance(15_000);
    await turn();
    expect(reader.stats.timeouts).toBe(1);
    expect(server.calls[0]!.signal.aborted).toBe(true);
    server.setMode('serve');
    await clock.advance(25); // the pause after a failure
    await turn();
    expect(server.calls[1]!.cursors).toEqual([{ topic: 'a', afterId: '0-0' }]);
    expect(ids(await read)).toEqual([['1-0']]);
    reader.close();
  });

  it('retries a held request that failed on the network, with a growing pause, from the same cursors', async () => {
    const { clock, server, reader } = setup();
    server.setMode('fail');
    const read = reader.read([{ topic: 'a', afterId: '0-0' }], 10, 60_000);
    await turn();
    await clock.advance(25);
    await turn();
    await clock.advance(50);
    await turn();
    expect(reader.stats.failures).toBe(3);
    server.setMode('serve');
    server.add('a');
    await clock.advance(100);
    await turn();
    expect(ids(await read)).toEqual([['1-0']]);
    expect(server.calls.map((c) => c.cursors[0]!.afterId)).toEqual(['0-0', '0-0', '0-0', '0-0']);
    reader.close();
  });

  it('ends a read at its own block time; with nobody left it aborts the held request and holds no timer', async () => {
    const { clock, server, reader } = setup();
    const read = reader.read([{ topic: 'a', afterId: '0-0' }], 10, 500);
    await turn();
    expect(reader.holding).toBe(true);
    await clock.advance(500);
    expect(ids(await read)).toEqual([[]]);
    await turn();
    expect(server.calls[0]!.signal.aborted).toBe(true);
    expect(reader.holding).toBe(false);
    expect(clock.pendingCount).toBe(0);
    expect(server.calls).toHaveLength(1);
  });

  it('keeps holding when a reader whose block time ran out comes straight back', async () => {
    const { clock, server, reader } = setup();
    const first = reader.read([{ topic: 'a', afterId: '0-0' }], 10, 500);
    await turn();
    await clock.advance(500);
    await first;
    pending(reader.read([{ topic: 'a', afterId: '0-0' }], 10, 500));
    await turn();
    expect(server.calls).toHaveLength(1);
    expect(reader.holding).toBe(true);
    reader.close();
  });

  it('does not flood a server that ignores BLOCK (answers empty at once): it pauses like a poller', async () => {
    const { clock, server, reader } = setup();
    server.setMode('ignore-block');
    const read = reader.read([{ topic: 'a', afterId: '0-0' }], 10, 60_000);
    await turn(10);
    expect(server.calls).toHaveLength(1);
    await clock.advance(1_000); // pauses of 25, 50, 100, 200, 400 ms
    await turn(10);
    expect(server.calls.length).toBeGreaterThan(1);
    expect(server.calls.length).toBeLessThanOrEqual(7);
    server.add('a');
    await clock.advance(1_000);
    await turn();
    expect(ids(await read)).toEqual([['1-0']]);
    reader.close();
  });

  it('resolves an aborted read with nothing at once', async () => {
    const { reader } = setup();
    const controller = new AbortController();
    const read = reader.read([{ topic: 'a', afterId: '0-0' }, { topic: 'b', afterId: '0-0' }], 10, 60_000, controller.signal);
    await turn();
    controller.abort();
    expect(await read).toEqual([[], []]);
    reader.close();
  });

  it('hands the waiting reads to the fallback when the server refuses blocking reads', async () => {
    const clock = new FakeClock();
    const server = fakeServer();
    const viaFallback: TopicCursor[][] = [];
    const reader = new HeldReader(server.held, server.probe, {
      clock,
      logger: undefined,
      blockMs: 10_000,
      requestTimeoutMs: 15_000,
      onRefused: () => async (cursors, count) => {
        viaFallback.push([...cursors]);
        return server.probe(cursors, count);
      },
    });
    server.add('a');
    server.setMode('refuse');
    const read = reader.read([{ topic: 'a', afterId: '0-0' }], 10, 60_000);
    await turn(6);
    expect(ids(await read)).toEqual([['1-0']]);
    expect(viaFallback).toEqual([[{ topic: 'a', afterId: '0-0' }]]);
    await reader.read([{ topic: 'b', afterId: '0-0' }], 10, 60_000);
    expect(viaFallback).toHaveLength(2);
    expect(server.calls).toHaveLength(1);
    reader.close();
  });

  it('without a fallback, fails the waiting reads with the refusal', async () => {
    const { server, reader, refused } = setup();
    server.setMode('refuse');
    const read = reader.read([{ topic: 'a', afterId: '0-0' }], 10, 60_000);
    await expect(read).rejects.toMatchObject({ code: 'BACKEND_COMMAND' });
    expect(refused).toHaveLength(1);
    reader.close();
  });

  it('fails only the read whose cursor the server refuses (a key that is not a stream); the others keep waiting', async () => {
    const { server, reader, refused } = setup();
    const good = reader.read([{ topic: 'a', afterId: '0-0' }], 10, 60_000);
    const bad = reader.read([{ topic: 'bad-key', afterId: '0-0' }], 10, 60_000);
    await expect(bad).rejects.toMatchObject({ code: 'BACKEND_COMMAND' });
    expect(refused).toHaveLength(0);
    await turn();
    server.add('a');
    await turn();
    expect(ids(await good)).toEqual([['1-0']]);
    reader.close();
  });

  it('rejects waiting and later reads with CLOSED after close', async () => {
    const { reader } = setup();
    const read = reader.read([{ topic: 'a', afterId: '0-0' }], 10, 60_000);
    reader.close();
    await expect(read).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(reader.read([{ topic: 'a', afterId: '0-0' }], 10, 1)).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
