import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/index.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { AppendRequest } from '../../../src/ports/stream-repository.js';
import { T0, delta, rejection, setup } from './helpers.js';

async function seeded(count: number) {
  const ctx = setup();
  const { ids } = await ctx.repo.append({ topic: 't', entries: Array.from({ length: count }, (_, i) => delta(i)), maxLen: 0, ttlSeconds: 0 });
  return { ...ctx, ids };
}

describe('memory repository reads', () => {
  it('returns entries strictly after afterId, in order, limited by count', async () => {
    const { repo, ids } = await seeded(5);
    expect((await repo.read('t', '0-0')).map((e) => e.id)).toEqual(ids);
    expect((await repo.read('t', ids[1]!)).map((e) => e.id)).toEqual(ids.slice(2));
    expect((await repo.read('t', ids[1]!, { count: 2 })).map((e) => e.id)).toEqual(ids.slice(2, 4));
    expect((await repo.read('t', ids[1]!, { count: 0 })).map((e) => e.id)).toEqual(ids.slice(2));
    expect(await repo.read('t', ids[4]!)).toEqual([]);
    expect(await repo.read('missing', '0-0')).toEqual([]);
  });

  it('reads after an id that was never assigned', async () => {
    const { clock, repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    await clock.advance(10);
    const { ids } = await repo.append({ topic: 't', entries: [delta(2)], maxLen: 0, ttlSeconds: 0 });
    expect((await repo.read('t', `${T0 + 5}-7`)).map((e) => e.id)).toEqual(ids);
    expect((await repo.read('t', `${T0}-18446744073709551615`)).map((e) => e.id)).toEqual(ids);
  });

  it('reads from the oldest retained entry when afterId was trimmed away', async () => {
    const { repo } = setup({ nodeMaxEntries: 2 });
    for (let i = 0; i < 10; i++) await repo.append({ topic: 't', entries: [delta(i)], maxLen: 2, ttlSeconds: 0 });
    const info = (await repo.info('t'))!;
    const entries = await repo.read('t', `${T0}-0`);
    expect(entries[0]!.id).toBe(info.firstId);
    expect(entries).toHaveLength(info.length);
  });

  it('rejects malformed ids with INVALID_STREAM_ID', async () => {
    const { repo } = setup();
    for (const bad of ['$', '>', '-', '+', '12', '01-0', '1-', 'abc', '18446744073709551616-0']) {
      expect(TaskStreamError.is(await rejection(repo.read('t', bad)), 'INVALID_STREAM_ID')).toBe(true);
      expect(TaskStreamError.is(await rejection(repo.readMany([{ topic: 't', afterId: bad }])), 'INVALID_STREAM_ID')).toBe(true);
    }
  });

  it('rejects bad read options with INVALID_ARGUMENT', async () => {
    const { repo } = setup();
    for (const options of [{ count: -1 }, { count: 1.5 }, { blockMs: -1 }, { blockMs: Number.NaN }, { blockMs: Infinity }]) {
      expect(TaskStreamError.is(await rejection(repo.read('t', '0-0', options)), 'INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('readMany returns only topics with entries, in the order given, each after its own cursor', async () => {
    const { repo } = setup();
    const a = await repo.append({ topic: 'a', entries: [delta(1), delta(2)], maxLen: 0, ttlSeconds: 0 });
    const b = await repo.append({ topic: 'b', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    const result = await repo.readMany([
      { topic: 'b', afterId: '0-0' },
      { topic: 'empty', afterId: '0-0' },
      { topic: 'a', afterId: a.ids[0]! },
    ]);
    expect(result.map((r) => [r.topic, r.entries.map((e) => e.id)])).toEqual([
      ['b', b.ids],
      ['a', [a.ids[1]]],
    ]);
  });
});

describe('memory repository info, tail, delete', () => {
  it('reports XINFO-like fields and null for a missing topic', async () => {
    const { clock, repo } = setup();
    expect(await repo.info('t')).toBeNull();
    expect(await repo.tailId('t')).toBe('0-0');
    await repo.append({ topic: 't', entries: [delta(1), delta(2)], maxLen: 0, ttlSeconds: 30 });
    await clock.advance(1000);
    expect(await repo.info('t')).toEqual({
      length: 2,
      firstId: `${T0}-0`,
      lastId: `${T0}-1`,
      entriesAdded: 2,
      maxDeletedId: '0-0',
      ttlMs: 29_000,
    });
    expect(await repo.tailId('t')).toBe(`${T0}-1`);
  });

  it('keeps lastId and entriesAdded across trimming; maxDeletedId stays 0-0 as in Redis 7.0', async () => {
    const { repo } = setup({ nodeMaxEntries: 3 });
    for (let i = 0; i < 10; i++) await repo.append({ topic: 't', entries: [delta(i)], maxLen: 2, ttlSeconds: 0 });
    const info = (await repo.info('t'))!;
    expect(info.entriesAdded).toBe(10);
    expect(info.lastId).toBe(`${T0}-9`);
    expect(info.length).toBeLessThan(10);
    expect(info.firstId).toBe(`${T0}-${10 - info.length}`);
    expect(info.maxDeletedId).toBe('0-0');
  });

  it('deleteTopic removes the topic and says whether it existed', async () => {
    const { repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    expect(await repo.deleteTopic('t')).toBe(true);
    expect(await repo.deleteTopic('t')).toBe(false);
    expect(await repo.info('t')).toBeNull();
    expect(await repo.read('t', '0-0')).toEqual([]);
  });
});

describe('memory repository appends', () => {
  it('an empty batch is a no-op that creates nothing', async () => {
    const { repo } = setup();
    expect(await repo.append({ topic: 't', entries: [], maxLen: 10, ttlSeconds: 10 })).toEqual({ ids: [], duplicates: 0 });
    expect(await repo.info('t')).toBeNull();
  });

  it('rejects invalid appends with INVALID_ARGUMENT and writes nothing of the batch', async () => {
    const { repo } = setup();
    const bad: unknown[] = [
      { topic: 't', entries: [delta(1), {}], maxLen: 0, ttlSeconds: 0 },
      { topic: 't', entries: [delta(1), { a: 1 }], maxLen: 0, ttlSeconds: 0 },
      { topic: 't', entries: [delta(1), null], maxLen: 0, ttlSeconds: 0 },
      { topic: 't', entries: [delta(1)], maxLen: -1, ttlSeconds: 0 },
      { topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 1.5 },
      { topic: 7, entries: [delta(1)], maxLen: 0, ttlSeconds: 0 },
    ];
    for (const request of bad) {
      expect(TaskStreamError.is(await rejection(repo.append(request as AppendRequest)), 'INVALID_ARGUMENT')).toBe(true);
    }
    expect(await repo.info('t')).toBeNull();
  });

  it('stores copies: mutating the request or the returned entries changes nothing stored', async () => {
    const { repo } = setup();
    const fields: Record<string, string> = { data: 'original', seq: '1' };
    const entries = [fields];
    await repo.append({ topic: 't', entries, maxLen: 0, ttlSeconds: 0 });
    fields.data = 'changed by caller';
    entries.push({ data: 'late' });
    const read = await repo.read('t', '0-0');
    expect(() => {
      (read[0]!.fields as Record<string, string>).data = 'mutated';
    }).toThrow(TypeError);
    expect(() => {
      (read as unknown as unknown[]).push('junk');
    }).not.toThrow();
    const again = await repo.read('t', '0-0');
    expect(again).toEqual([{ id: `${T0}-0`, fields: { data: 'original', seq: '1' } }]);
  });

  it('keeps field order', async () => {
    const { repo } = setup();
    await repo.append({ topic: 't', entries: [{ z: '1', a: '2', m: '3' }], maxLen: 0, ttlSeconds: 0 });
    expect(Object.keys((await repo.read('t', '0-0'))[0]!.fields)).toEqual(['z', 'a', 'm']);
  });
});

describe('memory repository lifecycle', () => {
  it('advertises its capabilities', () => {
    const { repo } = setup();
    expect(repo.capabilities).toEqual({ blockingReads: true, atomicBatchAppend: true, idempotentAppend: true, exactlyOneTerminal: true });
  });

  it('rejects every call after close with CLOSED; close is idempotent', async () => {
    const { repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    await repo.close();
    await repo.close();
    const calls = [
      repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 }),
      repo.read('t', '0-0'),
      repo.readMany([{ topic: 't', afterId: '0-0' }]),
      repo.tailId('t'),
      repo.info('t'),
      repo.deleteTopic('t'),
    ];
    for (const call of calls) expect(TaskStreamError.is(await rejection(call), 'CLOSED')).toBe(true);
  });

  it('validates options with INVALID_CONFIG', () => {
    for (const options of [{ nodeMaxEntries: -1 }, { nodeMaxBytes: 1.5 }, { sweepPerAppend: Number.NaN }]) {
      expect(() => createMemoryRepository(options)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    }
  });

  it('re-exports FakeClock and defaults to the system clock', async () => {
    expect(new FakeClock(5).now()).toBe(5);
    const repo = createMemoryRepository();
    const before = Date.now();
    const { ids } = await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    expect(Number(ids[0]!.split('-')[0])).toBeGreaterThanOrEqual(before);
    await repo.close();
  });
});
