import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCanonicalIds } from '../../../src/adapters/shared/compare-ids.js';
import { covers, planRound, roundAnswer, shareOf } from '../../../src/adapters/upstash/held-round.js';
import { compareStreamIds } from '../../../src/domain/stream-id.js';

const entry = (id: string) => ({ id, fields: { id } });

describe('held round planning and sharing', () => {
  it('compareCanonicalIds orders canonical ids exactly as compareStreamIds does', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 1_000_000);
    const part = fc.oneof(fc.nat({ max: 20 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
    const id = fc.tuple(part, part).map(([ms, seq]) => `${ms}-${seq}`);
    try {
      fc.assert(
        fc.property(id, id, (a, b) => Math.sign(compareCanonicalIds(a, b)) === Math.sign(compareStreamIds(a, b))),
        { numRuns: 2_000, seed },
      );
    } catch (err) {
      throw new Error(`compareCanonicalIds property failed (seed ${seed})`, { cause: err });
    }
  });

  it('plans each topic from the lowest cursor and the largest count (0 = no limit)', () => {
    const plan = planRound([
      { cursors: [{ topic: 'a', afterId: '10-0' }, { topic: 'b', afterId: '3-0' }], count: 5 },
      { cursors: [{ topic: 'a', afterId: '9-7' }], count: 20 },
    ]);
    expect([...plan.cursors]).toEqual([['a', '9-7'], ['b', '3-0']]);
    expect(plan.count).toBe(20);
    expect(planRound([{ cursors: [{ topic: 'a', afterId: '0-0' }], count: 0 }]).count).toBe(0);
    expect(covers(plan, { cursors: [{ topic: 'a', afterId: '10-0' }], count: 1 })).toBe(true);
    expect(covers(plan, { cursors: [{ topic: 'a', afterId: '9-6' }], count: 1 })).toBe(false);
    expect(covers(plan, { cursors: [{ topic: 'c', afterId: '0-0' }], count: 1 })).toBe(false);
  });

  it("gives a reader only entries after its own cursor, at most its count, and nothing from a topic read after its cursor", () => {
    const answer = roundAnswer([{ topic: 'a', afterId: '5-0' }, { topic: 'b', afterId: '1-0' }], [[entry('6-0'), entry('7-0'), entry('8-0')], []]);
    expect(shareOf(answer, { cursors: [{ topic: 'a', afterId: '6-0' }], count: 1 })).toEqual([[entry('7-0')]]);
    expect(shareOf(answer, { cursors: [{ topic: 'a', afterId: '8-0' }], count: 10 })).toBeUndefined();
    expect(shareOf(answer, { cursors: [{ topic: 'a', afterId: '4-0' }], count: 10 })).toBeUndefined(); // would skip 5-0
    expect(shareOf(answer, { cursors: [{ topic: 'b', afterId: '1-0' }, { topic: 'a', afterId: '5-0' }], count: 0 })).toEqual([[], [entry('6-0'), entry('7-0'), entry('8-0')]]);
  });
});
