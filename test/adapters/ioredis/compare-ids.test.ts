import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareIds } from '../../../src/adapters/ioredis/read-round.js';
import { compareStreamIds, formatStreamId } from '../../../src/domain/stream-id.js';

const part = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const id = fc.record({ ms: part, seq: part }).map(formatStreamId);

describe('compareIds (the reader\'s BigInt-free id order)', () => {
  it('orders canonical ids exactly as compareStreamIds does', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
    try {
      fc.assert(
        fc.property(id, id, (a, b) => {
          expect(Math.sign(compareIds(a, b))).toBe(Math.sign(compareStreamIds(a, b)));
          expect(Math.sign(compareIds(a, a))).toBe(0);
        }),
        { numRuns: 2_000, seed },
      );
    } catch (err) {
      throw new Error(`compareIds property failed (FC_SEED=${seed}): ${String(err)}`, { cause: err });
    }
  });
});
