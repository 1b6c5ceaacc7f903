import { describe, expect, it } from 'vitest';
import { covers, planRound, roundAnswer, shareOf } from '../../../src/adapters/upstash/held-round.js';

const entry = (id: string) => ({ id, fields: { id } });

describe('held round planning and sharing', () => {
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
