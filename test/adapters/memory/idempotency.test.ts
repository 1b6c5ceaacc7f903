import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { delta, rejection, setup } from './helpers.js';

const batch = (seqs: number[]) => ({
  topic: 't',
  entries: seqs.map((s) => delta(s)),
  maxLen: 0,
  ttlSeconds: 0,
  idempotency: { producerId: 'p1', seqs },
});

describe('memory repository idempotent appends', () => {
  it('skips entries whose producer sequence was already appended', async () => {
    const { repo } = setup();
    const first = await repo.append(batch([1, 2, 3]));
    expect(first).toMatchObject({ duplicates: 0 });
    expect(first.ids).toHaveLength(3);
    const retry = await repo.append(batch([1, 2, 3]));
    expect(retry).toEqual({ ids: [], duplicates: 3 });
    const overlap = await repo.append(batch([3, 4, 5]));
    expect(overlap.duplicates).toBe(1);
    expect(overlap.ids).toHaveLength(2);
    const stored = await repo.read('t', '0-0');
    expect(stored.map((e) => e.fields.seq)).toEqual(['1', '2', '3', '4', '5']);
    expect((await repo.info('t'))!.entriesAdded).toBe(5);
  });

  it('keeps one record per producer', async () => {
    const { repo } = setup();
    await repo.append(batch([1, 2]));
    const other = await repo.append({ ...batch([1, 2]), idempotency: { producerId: 'p2', seqs: [1, 2] } });
    expect(other).toMatchObject({ duplicates: 0 });
    expect((await repo.info('t'))!.length).toBe(4);
  });

  it('appends without idempotency are never skipped', async () => {
    const { repo } = setup();
    await repo.append(batch([1]));
    const plain = await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    expect(plain.duplicates).toBe(0);
    expect(plain.ids).toHaveLength(1);
  });

  it('the record dies with the topic (delete or expiry)', async () => {
    const { clock, repo } = setup();
    await repo.append(batch([1, 2]));
    await repo.deleteTopic('t');
    expect((await repo.append(batch([1, 2]))).duplicates).toBe(0);
    await repo.append({ ...batch([3]), ttlSeconds: 1 });
    await clock.advance(1001);
    expect((await repo.append(batch([3]))).duplicates).toBe(0);
  });

  it('a fully duplicate retry writes nothing and leaves the TTL alone (no XADD, no EXPIRE)', async () => {
    const { clock, repo } = setup();
    await repo.append({ ...batch([1]), ttlSeconds: 10 });
    await clock.advance(5000);
    expect(await repo.append({ ...batch([1]), ttlSeconds: 10 })).toEqual({ ids: [], duplicates: 1 });
    expect((await repo.info('t'))!.ttlMs).toBe(5000);
    const partial = await repo.append({ ...batch([1, 2]), ttlSeconds: 10 });
    expect(partial.duplicates).toBe(1);
    expect((await repo.info('t'))!.ttlMs).toBe(10_000);
  });

  it('rejects malformed idempotency before writing anything', async () => {
    const { repo } = setup();
    for (const idempotency of [
      { producerId: 'p', seqs: [1] },
      { producerId: 'p', seqs: [2, 2] },
      { producerId: 'p', seqs: [3, 1] },
      { producerId: '', seqs: [1, 2] },
      { producerId: 'p', seqs: [1, 1.5] },
    ]) {
      const err = await rejection(repo.append({ topic: 't', entries: [delta(1), delta(2)], maxLen: 0, ttlSeconds: 0, idempotency }));
      expect(TaskStreamError.is(err, 'INVALID_ARGUMENT')).toBe(true);
    }
    expect(await repo.info('t')).toBeNull();
  });
});
