import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupBy } from '../../../src/adapters/shared/group-by.js';
import { orderForXRead } from '../../../src/adapters/upstash/replies.js';

describe('groupBy (the one grouping the backends use: by slot, node or topic)', () => {
  it('keeps keys in first-seen order and items in their order', () => {
    const groups = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]);
    expect([...groups]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1', 'a2']],
      ['c', ['c1']],
    ]);
  });

  it('takes any iterable (a Map’s keys) and loses or adds nothing (property)', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
    console.log(`groupBy property: FC_SEED=${seed}`);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 50 }), (items) => {
        const groups = groupBy(new Map(items.map((n, i) => [`${n}:${i}`, n])).keys(), (k) => Number(k.split(':')[0]) % 4);
        expect([...groups.values()].flat().sort()).toEqual(items.map((n, i) => `${n}:${i}`).sort());
        for (const [key, group] of groups) for (const item of group) expect(Number(item.split(':')[0]) % 4).toBe(key);
      }),
      { numRuns: 200, seed },
    );
  });

  it('orders Upstash XREAD cursors by topic first seen, ids ascending, duplicates once', () => {
    const cursors = [
      { topic: 'b', afterId: '5-0' },
      { topic: 'a', afterId: '10-0' },
      { topic: 'b', afterId: '2-0' },
      { topic: 'a', afterId: '9-0' },
      { topic: 'b', afterId: '5-0' },
    ];
    expect(orderForXRead(cursors)).toEqual([
      { topic: 'b', afterId: '2-0' },
      { topic: 'b', afterId: '5-0' },
      { topic: 'a', afterId: '9-0' },
      { topic: 'a', afterId: '10-0' },
    ]);
  });
});
