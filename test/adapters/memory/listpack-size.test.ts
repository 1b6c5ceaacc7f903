import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intElementBytes, stringElementBytes, utf8Length } from '../../../src/adapters/memory/listpack-size.js';

function assertProperty(property: fc.IProperty<[string]>): void {
  const seed = process.env.FC_SEED === undefined ? Date.now() ^ 0x1ee7 : Number(process.env.FC_SEED);
  try {
    fc.assert(property, { numRuns: 300, seed });
  } catch (err) {
    throw new Error(`property failed; rerun with FC_SEED=${seed}\n${String(err)}\n${String((err as Error).cause ?? '')}`);
  }
}

describe('listpack element sizes', () => {
  it('utf8Length agrees with Buffer.byteLength, lone surrogates included', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 64 }), fc.string({ unit: 'grapheme', maxLength: 64 }), fc.string({ unit: 'binary-ascii', maxLength: 64 }));
    assertProperty(fc.property(text, (s) => utf8Length(s) === Buffer.byteLength(s, 'utf8')));
  });

  it('sizes integers by their smallest listpack encoding plus a one-byte back-length', () => {
    expect([0, 127, 128, -1, 4095, -4096, 4096, 32_767, 32_768, 8_388_607, 8_388_608, 2_147_483_647, 2_147_483_648].map(intElementBytes)).toEqual([
      2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 10,
    ]);
  });

  it('stores canonical int64 strings as integers and everything else as strings', () => {
    expect(stringElementBytes('3', 1)).toBe(2);
    expect(stringElementBytes('-4096', 5)).toBe(3);
    expect(stringElementBytes('9223372036854775807', 19)).toBe(10);
    expect(stringElementBytes('9223372036854775808', 19)).toBe(21);
    expect(stringElementBytes('007', 3)).toBe(5);
    expect(stringElementBytes('-0', 2)).toBe(4);
    expect(stringElementBytes('x'.repeat(63), 63)).toBe(65);
    expect(stringElementBytes('x'.repeat(64), 64)).toBe(67);
    expect(stringElementBytes('x'.repeat(126), 126)).toBe(130);
    expect(stringElementBytes('x'.repeat(4096), 4096)).toBe(4103);
  });
});
