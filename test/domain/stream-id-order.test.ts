// The one stream-id order (src/domain/stream-id.ts): the BigInt-free comparison every reader uses
// agrees with the numeric order of (ms, seq), and compareStreamIds checks its input first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCanonicalStreamIds, compareStreamIds, formatStreamId, isStreamId, parseStreamId } from '../../src/domain/stream-id.js';
import { TaskStreamError } from '../../src/domain/errors.js';

const U64_MAX = (1n << 64n) - 1n;
const part = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: U64_MAX }));
const id = fc.record({ ms: part, seq: part }).map(formatStreamId);

/** The oracle: (ms, seq) compared as numbers. */
function numericOrder(a: string, b: string): number {
  const pa = parseStreamId(a);
  const pb = parseStreamId(b);
  if (pa.ms !== pb.ms) return pa.ms < pb.ms ? -1 : 1;
  return pa.seq === pb.seq ? 0 : pa.seq < pb.seq ? -1 : 1;
}

describe('stream id order', () => {
  it('compareCanonicalStreamIds and compareStreamIds order canonical ids as the numbers (ms, seq) do', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
    console.log(`stream id order property: FC_SEED=${seed}`);
    try {
      fc.assert(
        fc.property(id, id, (a, b) => {
          expect(Math.sign(compareCanonicalStreamIds(a, b))).toBe(numericOrder(a, b));
          expect(Math.sign(compareStreamIds(a, b))).toBe(numericOrder(a, b));
          expect(compareCanonicalStreamIds(a, a)).toBe(0);
        }),
        { numRuns: 2_000, seed },
      );
    } catch (err) {
      throw new Error(`stream id order property failed (FC_SEED=${seed}): ${String(err)}`, { cause: err });
    }
  });

  it('at the edges: lengths differ, 64-bit maximum, seq only', () => {
    expect(compareStreamIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareStreamIds('5-9', '5-10')).toBeLessThan(0);
    expect(compareStreamIds(`${U64_MAX}-${U64_MAX}`, `${U64_MAX}-0`)).toBeGreaterThan(0);
    expect(compareStreamIds('0-0', '0-0')).toBe(0);
  });

  it.each(['$', '5', '05-1', '1-01', '-1-0', `${U64_MAX + 1n}-0`, `0-${U64_MAX + 1n}`, '1-0 '])('compareStreamIds refuses %j with INVALID_STREAM_ID', (bad) => {
    expect(isStreamId(bad)).toBe(false);
    for (const run of [() => compareStreamIds(bad, '1-0'), () => compareStreamIds('1-0', bad)]) {
      expect(run).toThrow(TaskStreamError);
      try {
        run();
      } catch (err) {
        expect((err as TaskStreamError).code).toBe('INVALID_STREAM_ID');
      }
    }
  });
});
