import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertStreamId,
  compareStreamIds,
  formatStreamId,
  isStreamId,
  maxStreamId,
  nextStreamId,
  parseStreamId,
  ZERO_ID,
} from '../../src/domain/stream-id.js';
import { checkProperty } from '../fixtures/agentex/arbitraries.js';
import { thrownCode } from '../helpers/caught.js';

const U64_MAX = (1n << 64n) - 1n;
const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: U64_MAX }),
  fc.constantFrom(0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, U64_MAX - 1n, U64_MAX),
  fc.bigInt({ min: 2n ** 53n - 3n, max: 2n ** 53n + 3n }),
);
const parsedId = fc.record({ ms: u64, seq: u64 }, { noNullPrototype: true });


describe('parseStreamId', () => {
  it.each([
    ['0-0', 0n, 0n],
    ['1-0', 1n, 0n],
    ['1526919030474-55', 1526919030474n, 55n],
    ['18446744073709551615-18446744073709551615', U64_MAX, U64_MAX],
    ['9007199254740993-9007199254740993', 2n ** 53n + 1n, 2n ** 53n + 1n],
  ])('parses %s', (id, ms, seq) => {
    expect(parseStreamId(id)).toEqual({ ms, seq });
    expect(isStreamId(id)).toBe(true);
  });

  it.each([
    ['18446744073709551616-0', '2^64 ms'],
    ['0-18446744073709551616', '2^64 seq'],
    ['99999999999999999999-0', '20 nines'],
    ['100000000000000000000-0', '21 digits'],
    ['01-0', 'leading zero in ms'],
    ['1-01', 'leading zero in seq'],
    ['00-0', 'double zero'],
    ['$', '$'],
    ['>', '>'],
    ['-', '-'],
    ['+', '+'],
    ['*', '*'],
    ['1-*', 'auto seq'],
    ['1526919030474', 'missing seq'],
    ['1526919030474-', 'empty seq'],
    ['-5', 'empty ms'],
    ['+1-0', 'sign'],
    ['-1-0', 'negative'],
    ['1-0 ', 'trailing space'],
    [' 1-0', 'leading space'],
    ['1-0\n', 'trailing newline'],
    ['1_0', 'wrong separator'],
    ['1-2-3', 'three parts'],
    ['0x1-0', 'hex'],
    ['1e3-0', 'exponent'],
    ['１-0', 'full-width digit'],
    ['', 'empty'],
  ])('rejects %j (%s) with INVALID_STREAM_ID', (id) => {
    expect(thrownCode(() => parseStreamId(id))).toBe('INVALID_STREAM_ID');
    expect(isStreamId(id)).toBe(false);
  });

  const nonStrings: [string, unknown][] = [
    ['number', 1],
    ['null', null],
    ['undefined', undefined],
    ['object', {}],
    ['array', ['1-0']],
    ['bigint', 1n],
    ['symbol', Symbol('x')],
    ['object whose toString throws', { toString: () => { throw new Error('boom'); } }],
  ];
  it.each(nonStrings)(
    'rejects a non-string (%s) with INVALID_STREAM_ID',
    (_what, value) => {
      expect(thrownCode(() => parseStreamId(value as unknown as string))).toBe('INVALID_STREAM_ID');
      expect(isStreamId(value)).toBe(false);
    },
  );

  it('format(parse(id)) is the identity on canonical ids and parse(format(p)) on parts (property)', () => {
    checkProperty(
      fc.property(parsedId, (p) => {
        const id = formatStreamId(p);
        expect(parseStreamId(id)).toEqual(p);
        expect(formatStreamId(parseStreamId(id))).toBe(id);
      }),
    );
  });

  it('formatStreamId refuses parts outside 64 bits', () => {
    expect(thrownCode(() => formatStreamId({ ms: -1n, seq: 0n }))).toBe('INVALID_STREAM_ID');
    expect(thrownCode(() => formatStreamId({ ms: 0n, seq: U64_MAX + 1n }))).toBe('INVALID_STREAM_ID');
  });
});

describe('compareStreamIds', () => {
  it('matches bigint (ms, seq) order exactly, also beyond 2^53 (property)', () => {
    const expected = (a: { ms: bigint; seq: bigint }, b: { ms: bigint; seq: bigint }): number =>
      a.ms === b.ms ? (a.seq === b.seq ? 0 : a.seq < b.seq ? -1 : 1) : a.ms < b.ms ? -1 : 1;
    checkProperty(
      fc.property(parsedId, parsedId, (a, b) => {
        const got = compareStreamIds(formatStreamId(a), formatStreamId(b));
        expect(Math.sign(got)).toBe(expected(a, b));
        expect(Math.sign(compareStreamIds(formatStreamId(b), formatStreamId(a)))).toBe(expected(b, a));
      }),
      1000,
    );
  });

  it('tells apart ids that collapse to the same double', () => {
    expect(compareStreamIds('9007199254740993-0', '9007199254740992-0')).toBeGreaterThan(0);
    expect(compareStreamIds('1-9007199254740993', '1-9007199254740992')).toBeGreaterThan(0);
    expect(compareStreamIds('18446744073709551615-0', '18446744073709551614-18446744073709551615')).toBeGreaterThan(0);
  });

  it('orders numerically, not as text', () => {
    expect(compareStreamIds('10-0', '9-0')).toBeGreaterThan(0);
    expect(compareStreamIds('1-10', '1-9')).toBeGreaterThan(0);
    expect(compareStreamIds(ZERO_ID, '0-1')).toBeLessThan(0);
  });

  it('rejects malformed operands', () => {
    expect(thrownCode(() => compareStreamIds('$', '1-0'))).toBe('INVALID_STREAM_ID');
    expect(thrownCode(() => compareStreamIds('1-0', '>'))).toBe('INVALID_STREAM_ID');
  });

  it('maxStreamId picks the newer id (property)', () => {
    checkProperty(
      fc.property(parsedId, parsedId, (a, b) => {
        const ia = formatStreamId(a);
        const ib = formatStreamId(b);
        const max = maxStreamId(ia, ib);
        expect(compareStreamIds(max, ia)).toBeGreaterThanOrEqual(0);
        expect(compareStreamIds(max, ib)).toBeGreaterThanOrEqual(0);
        expect([ia, ib]).toContain(max);
      }),
    );
  });
});

describe('nextStreamId', () => {
  it('uses the clock when it moved forward', () => {
    expect(nextStreamId('0-0', 1000)).toBe('1000-0');
    expect(nextStreamId('999-7', 1000.9)).toBe('1000-0');
  });

  it('bumps the sequence when the clock stands still or goes backwards', () => {
    expect(nextStreamId('1000-0', 1000)).toBe('1000-1');
    expect(nextStreamId('1000-5', 10)).toBe('1000-6');
    expect(nextStreamId('1000-5', -50)).toBe('1000-6');
  });

  it('carries into ms when the sequence is exhausted, and refuses after the last possible id', () => {
    expect(nextStreamId(`5-${U64_MAX}`, 1)).toBe('6-0');
    expect(nextStreamId(`${U64_MAX}-3`, 1)).toBe(`${U64_MAX}-4`);
    expect(thrownCode(() => nextStreamId(`${U64_MAX}-${U64_MAX}`, 1))).toBe('INVALID_STREAM_ID');
  });

  it('clamps a clock beyond 64 bits instead of producing an invalid id', () => {
    const id = nextStreamId('1-0', 1e30);
    expect(isStreamId(id)).toBe(true);
    expect(id).toBe(`${U64_MAX}-0`);
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY], ['5' as unknown as number]])('rejects nowMs %s with INVALID_ARGUMENT', (now) => {
    expect(thrownCode(() => nextStreamId('1-0', now))).toBe('INVALID_ARGUMENT');
  });

  it('is strictly monotonic whatever the clock does (property)', () => {
    const clock = fc.array(fc.oneof(fc.integer({ min: -10, max: 2_000_000_000_000 }), fc.double({ min: -1e3, max: 3e12, noNaN: true })), { minLength: 1, maxLength: 60 });
    checkProperty(
      fc.property(fc.oneof(fc.constant(ZERO_ID), parsedId.filter((p) => p.ms < U64_MAX).map(formatStreamId)), clock, (start, times) => {
        let last = start;
        for (const now of times) {
          const next = nextStreamId(last, now);
          expect(compareStreamIds(next, last)).toBeGreaterThan(0);
          const { ms } = parseStreamId(next);
          // Never behind the clock, never behind the previous id's time.
          expect(ms >= BigInt(Math.max(0, Math.floor(now))) || ms === parseStreamId(last).ms).toBe(true);
          last = next;
        }
      }),
      300,
    );
  });
});

describe('assertStreamId (the allocation-free check of the read path)', () => {
  it('accepts exactly what parseStreamId accepts, with the same error code (property)', () => {
    const candidate = fc.oneof(
      parsedId.map((p) => `${p.ms}-${p.seq}`),
      fc.stringMatching(/^[0-9$+>-]{0,22}-?[0-9]{0,22}$/),
      fc.constantFrom('$', '>', '+', '-', '01-0', '0-01', '18446744073709551616-0', '1-18446744073709551616', '99999999999999999999-0', ''),
    );
    checkProperty(
      fc.property(candidate, (id) => {
        expect(thrownCode(() => assertStreamId(id))).toBe(thrownCode(() => parseStreamId(id)));
      }),
      1000,
    );
  });
});
