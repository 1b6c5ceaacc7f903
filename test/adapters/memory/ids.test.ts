import { describe, expect, it } from 'vitest';
import { compareStreamIds } from '../../../src/domain/stream-id.js';
import { T0, delta, setup } from './helpers.js';

describe('memory repository ids', () => {
  it('derives ms-seq ids from the clock, one sequence per entry within a millisecond', async () => {
    const { clock, repo } = setup();
    const first = await repo.append({ topic: 't', entries: [delta(1), delta(2)], maxLen: 0, ttlSeconds: 0 });
    expect(first.ids).toEqual([`${T0}-0`, `${T0}-1`]);
    await clock.advance(5);
    const second = await repo.append({ topic: 't', entries: [delta(3)], maxLen: 0, ttlSeconds: 0 });
    expect(second.ids).toEqual([`${T0 + 5}-0`]);
    expect(await repo.tailId('t')).toBe(`${T0 + 5}-0`);
  });

  it('stays monotonic when the clock goes backwards', async () => {
    const { clock, repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    clock.set(T0 - 60_000);
    const back = await repo.append({ topic: 't', entries: [delta(2), delta(3)], maxLen: 0, ttlSeconds: 0 });
    expect(back.ids).toEqual([`${T0}-1`, `${T0}-2`]);
    clock.set(T0 + 1);
    const forward = await repo.append({ topic: 't', entries: [delta(4)], maxLen: 0, ttlSeconds: 0 });
    expect(forward.ids).toEqual([`${T0 + 1}-0`]);
  });

  it('keeps ids per topic', async () => {
    const { repo } = setup();
    await repo.append({ topic: 'a', entries: [delta(1), delta(2)], maxLen: 0, ttlSeconds: 0 });
    const b = await repo.append({ topic: 'b', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    expect(b.ids).toEqual([`${T0}-0`]);
  });

  it('never reuses an id after trimming removed the newest-but-one nodes', async () => {
    const { clock, repo } = setup({ nodeMaxEntries: 2 });
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { ids } = await repo.append({ topic: 't', entries: [delta(i)], maxLen: 1, ttlSeconds: 0 });
      seen.push(...ids);
      clock.set(T0 - i * 1000);
    }
    expect((await repo.info('t'))?.length).toBeLessThanOrEqual(2);
    for (let i = 1; i < seen.length; i++) expect(compareStreamIds(seen[i - 1]!, seen[i]!)).toBeLessThan(0);
    expect((await repo.info('t'))?.lastId).toBe(seen[seen.length - 1]);
  });

  it('starts again from the clock once the topic is deleted, as a new Redis key does', async () => {
    const { clock, repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    await repo.deleteTopic('t');
    clock.set(T0 - 1000);
    const { ids } = await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    expect(ids).toEqual([`${T0 - 1000}-0`]);
  });

  it('starts again from the clock once the topic expired', async () => {
    const { clock, repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1), delta(2), delta(3)], maxLen: 0, ttlSeconds: 1 });
    await clock.advance(1001);
    const { ids } = await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    expect(ids).toEqual([`${T0 + 1001}-0`]);
    expect((await repo.info('t'))?.entriesAdded).toBe(1);
  });
});
