// Expected lengths below were measured on redis-server 7.0.15 (default stream-node-max-entries 100,
// stream-node-max-bytes 4096) with the same ids the FakeClock produces, e.g.
//   XADD a MAXLEN ~ 10 <T0+i>-0 data '{"type":"delta","text":"hello"}' seq <i>   (i = 1..250)
// and then XLEN / XINFO STREAM (radix-tree-keys). trim-parity.test.ts checks random histories live.
import { describe, expect, it } from 'vitest';
import { T0, delta, setup } from './helpers.js';

describe('memory repository MAXLEN ~ trimming', () => {
  it('cuts nodes by bytes for delta entries and trims whole nodes only (redis: drops at 104 and 197)', async () => {
    const { clock, repo } = setup();
    const lengths = new Map<number, number>();
    for (let i = 1; i <= 250; i++) {
      await clock.advance(1);
      await repo.append({ topic: 'a', entries: [delta(i)], maxLen: 10, ttlSeconds: 0 });
      lengths.set(i, (await repo.info('a'))!.length);
    }
    // redis-server 7.0.15: first node holds 93 such entries, the second 92 (seq >= 128 needs a wider int).
    expect(lengths.get(103)).toBe(103);
    expect(lengths.get(104)).toBe(10);
    expect(lengths.get(196)).toBe(102);
    expect(lengths.get(197)).toBe(10);
    expect(lengths.get(250)).toBe(63);
    const info = (await repo.info('a'))!;
    expect(info.firstId).toBe(`${T0 + 188}-0`);
    expect(info.lastId).toBe(`${T0 + 250}-0`);
    expect(info.entriesAdded).toBe(250);
  });

  it('cuts nodes at 100 entries for tiny entries (redis: 101 -> 101, 110 -> 10, 250 -> 50)', async () => {
    const { repo } = setup();
    const lengths: number[] = [];
    for (let i = 1; i <= 250; i++) {
      await repo.append({ topic: 'c', entries: [{ n: '1' }], maxLen: 10, ttlSeconds: 0 });
      lengths[i] = (await repo.info('c'))!.length;
    }
    expect([lengths[100], lengths[101], lengths[109], lengths[110], lengths[111]]).toEqual([100, 101, 109, 10, 11]);
    expect([lengths[200], lengths[201], lengths[210], lengths[250]]).toEqual([100, 101, 10, 50]);
  });

  it('trims batches of large entries node by node (redis: 3, 6, 5, 4, 3, 6, ...)', async () => {
    const { clock, repo } = setup();
    const big = 'x'.repeat(1000);
    const lengths: number[] = [];
    for (let call = 1; call <= 12; call++) {
      await clock.advance(5);
      const entries = [0, 1, 2].map((k) => ({ data: big, seq: String(call * 3 - 2 + k) }));
      await repo.append({ topic: 'b', entries, maxLen: 3, ttlSeconds: 0 });
      lengths.push((await repo.info('b'))!.length);
    }
    expect(lengths).toEqual([3, 6, 5, 4, 3, 6, 5, 4, 3, 6, 5, 4]);
  });

  it('does not trim with maxLen 0', async () => {
    const { repo } = setup();
    for (let i = 0; i < 300; i++) await repo.append({ topic: 't', entries: [{ n: '1' }], maxLen: 0, ttlSeconds: 0 });
    expect((await repo.info('t'))!.length).toBe(300);
  });

  it('never removes entries written by the current call, even when the batch exceeds maxLen', async () => {
    const { repo } = setup();
    await repo.append({ topic: 't', entries: Array.from({ length: 150 }, () => ({ n: '1' })), maxLen: 0, ttlSeconds: 0 });
    const { ids } = await repo.append({ topic: 't', entries: Array.from({ length: 250 }, () => ({ n: '2' })), maxLen: 1, ttlSeconds: 0 });
    const info = (await repo.info('t'))!;
    // Trimmed as MAXLEN ~ 250: whole head nodes go while at least 250 entries remain.
    expect(info.length).toBeGreaterThanOrEqual(250);
    expect(info.length).toBeLessThan(350);
    const kept = await repo.read('t', '0-0');
    expect(kept.slice(-250).map((e) => e.id)).toEqual(ids);
  });

  it('honours nodeMaxEntries', async () => {
    const { repo } = setup({ nodeMaxEntries: 10 });
    const lengths: number[] = [];
    for (let i = 1; i <= 25; i++) {
      await repo.append({ topic: 't', entries: [{ n: '1' }], maxLen: 5, ttlSeconds: 0 });
      lengths.push((await repo.info('t'))!.length);
    }
    // Nodes of 10: the first goes once 5 entries remain without it (at 15), the second at 25.
    expect(lengths.slice(12, 15)).toEqual([13, 14, 5]);
    expect(lengths[24]).toBe(5);
  });

  it('removes at most 10000 entries per call, the default LIMIT of MAXLEN ~ (redis: 10251 -> 251 -> 52)', async () => {
    const { repo } = setup();
    const tiny = Array.from({ length: 10_250 }, () => ({ n: '1' }));
    await repo.append({ topic: 't', entries: tiny, maxLen: 0, ttlSeconds: 0 });
    await repo.append({ topic: 't', entries: [{ n: '1' }], maxLen: 10, ttlSeconds: 0 });
    expect((await repo.info('t'))!.length).toBe(251);
    await repo.append({ topic: 't', entries: [{ n: '1' }], maxLen: 10, ttlSeconds: 0 });
    expect((await repo.info('t'))!.length).toBe(52);
  });

  it('trims after every entry of a batch, each trim capped at 10000 (redis MULTI of 2 XADDs: 20252 -> 252)', async () => {
    const { repo } = setup();
    await repo.append({ topic: 't', entries: Array.from({ length: 20_250 }, () => ({ n: '1' })), maxLen: 0, ttlSeconds: 0 });
    await repo.append({ topic: 't', entries: [{ n: '1' }, { n: '1' }], maxLen: 10, ttlSeconds: 0 });
    expect((await repo.info('t'))!.length).toBe(252);
  });
});
