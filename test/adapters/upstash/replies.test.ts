import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapXRead, orderForXRead, xreadArgs } from '../../../src/adapters/upstash/replies.js';
import type { StreamEntry, TopicCursor } from '../../../src/ports/stream-repository.js';

/** fast-check with a reproducible seed (`FC_SEED` pins it); a failure names the seed. */
function assertProperty(property: fc.IProperty<[unknown, ...unknown[]]>, numRuns: number): void {
  const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Math.floor(Math.random() * 2 ** 31);
  try {
    fc.assert(property, { numRuns, seed, verbose: 1 });
  } catch (err) {
    throw new Error(`property failed with FC_SEED=${seed}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** What redis-server answers to `XREAD [COUNT n] STREAMS k… id…`: the non-empty streams, in argument order. */
function redisXRead(args: readonly string[], data: ReadonlyMap<string, StreamEntry[]>): unknown {
  const countAt = args.indexOf('COUNT');
  const count = countAt >= 0 ? Number(args[countAt + 1]) : 0;
  const rest = args.slice(args.indexOf('STREAMS') + 1);
  const half = rest.length / 2;
  const out: unknown[] = [];
  for (let i = 0; i < half; i++) {
    const after = Number(rest[half + i]!.split('-')[0]);
    let entries = (data.get(rest[i]!) ?? []).filter((e) => Number(e.id.split('-')[0]) > after);
    if (count > 0) entries = entries.slice(0, count);
    if (entries.length > 0) out.push([rest[i], entries.map((e) => [e.id, Object.entries(e.fields).flat()])]);
  }
  return out.length === 0 ? null : out;
}

describe('XREAD argument order and reply mapping', () => {
  it('gives every cursor exactly the entries after it, whatever topics and cursors share the request', () => {
    const topics = ['a', 'b', 'c'];
    const property = fc.property(
      fc.array(fc.tuple(fc.constantFrom(...topics), fc.integer({ min: 0, max: 8 })), { minLength: 1, maxLength: 12 }),
      fc.record({ a: fc.nat(6), b: fc.nat(6), c: fc.nat(6) }),
      fc.nat(4),
      (rawCursors, sizes, count) => {
        const data = new Map<string, StreamEntry[]>(
          topics.map((t) => [t, Array.from({ length: sizes[t as 'a'] }, (_, i) => ({ id: `${i + 1}-0`, fields: { t, i: String(i) } }))]),
        );
        const cursors: TopicCursor[] = rawCursors.map(([topic, after]) => ({ topic, afterId: `${after}-0` }));
        const ordered = orderForXRead(cursors);
        const mapped = mapXRead(ordered, redisXRead(xreadArgs(ordered, count), data));
        ordered.forEach((c, i) => {
          const after = Number(c.afterId.split('-')[0]);
          const expected = data.get(c.topic)!.filter((e) => Number(e.id.split('-')[0]) > after);
          expect(mapped[i]).toEqual(count > 0 ? expected.slice(0, count) : expected);
        });
        // Every cursor asked for is in the request, once.
        expect(new Set(ordered.map((c) => `${c.topic} ${c.afterId}`))).toEqual(new Set(cursors.map((c) => `${c.topic} ${c.afterId}`)));
        expect(ordered).toHaveLength(new Set(cursors.map((c) => `${c.topic} ${c.afterId}`)).size);
      },
    );
    assertProperty(property, 300);
  });

  it('would mis-assign entries if one topic\'s cursors were not sorted ascending (why orderForXRead sorts)', () => {
    const data = new Map<string, StreamEntry[]>([['a', [{ id: '1-0', fields: {} }, { id: '2-0', fields: {} }]]]);
    const unsorted: TopicCursor[] = [
      { topic: 'a', afterId: '2-0' },
      { topic: 'a', afterId: '1-0' },
    ];
    const wrong = mapXRead(unsorted, redisXRead(xreadArgs(unsorted, 0), data));
    expect(wrong[0]).toHaveLength(1); // the entry meant for the second cursor lands on the first
    const ordered = orderForXRead(unsorted);
    const right = mapXRead(ordered, redisXRead(xreadArgs(ordered, 0), data));
    expect(ordered.map((c) => c.afterId)).toEqual(['1-0', '2-0']);
    expect(right).toEqual([[{ id: '2-0', fields: {} }], []]);
  });
});
