import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../src/domain/errors.js';
import {
  assertStreamId,
  compareCanonicalStreamIds,
  compareStreamIds,
  isStreamId,
  maxStreamId,
  nextStreamId,
  parseStreamId,
  previousStreamId,
} from '../../src/domain/stream-id.js';
import { thrownCode } from '../helpers/caught.js';

// The stream-id checks and the order scan the text of an id once, without BigInt or substrings:
// these pin that scan at its boundaries (part lengths 1, 19, 20 and 21 digits, the digit range,
// each digit of 2^64-1, the dash) through every public entry point that uses it.

const U64_MAX = (1n << 64n) - 1n;
const MAX = U64_MAX.toString(); // 18446744073709551615, 20 digits


/** Every check agrees that `id` is valid, and parses it to `ms`/`seq`. */
function expectValid(id: string, ms: bigint, seq: bigint): void {
  expect(isStreamId(id)).toBe(true);
  expect(thrownCode(() => assertStreamId(id))).toBeUndefined();
  expect(parseStreamId(id)).toEqual({ ms, seq });
  expect(compareStreamIds(id, id)).toBe(0);
}

/** Every check refuses `id`, with INVALID_STREAM_ID and the id in the details. */
function expectInvalid(id: unknown): void {
  expect(isStreamId(id)).toBe(false);
  for (const check of [() => assertStreamId(id as string), () => parseStreamId(id as string), () => compareStreamIds(id as string, '1-0'), () => compareStreamIds('1-0', id as string)]) {
    let error: unknown;
    try {
      check();
    } catch (err) {
      error = err;
    }
    expect(TaskStreamError.is(error, 'INVALID_STREAM_ID')).toBe(true);
    expect((error as TaskStreamError).details).toEqual({ id });
  }
}

describe('stream id text: what is accepted', () => {
  it.each<[string, bigint, bigint]>([
    ['0-0', 0n, 0n],
    ['9-9', 9n, 9n],
    ['1-0', 1n, 0n],
    ['0-1', 0n, 1n],
    ['10-90', 10n, 90n],
    ['9999999999999999999-9999999999999999999', 9_999_999_999_999_999_999n, 9_999_999_999_999_999_999n],
    ['10000000000000000000-10000000000000000000', 10_000_000_000_000_000_000n, 10_000_000_000_000_000_000n],
    ['17999999999999999999-0', 17_999_999_999_999_999_999n, 0n],
    ['0-18399999999999999999', 0n, 18_399_999_999_999_999_999n],
    [`${MAX}-${MAX}`, U64_MAX, U64_MAX],
    [`${U64_MAX - 1n}-0`, U64_MAX - 1n, 0n],
    ['18446744073709551609-0', 18_446_744_073_709_551_609n, 0n],
  ])('%s', (id, ms, seq) => {
    expectValid(id, ms, seq);
  });
});

describe('stream id text: what is refused', () => {
  it.each([
    // empty or missing parts
    '', '-', '-0', '0-', '5', '-1-0',
    // leading zeros, in either part
    '00-0', '01-0', '0-00', '0-01', '010-1',
    // characters just outside 0..9 ('/' and ':'), signs, anywhere in a part
    '/-0', ':-0', '0-/', '0-:', '1/-0', '1:-0', '1-1/', '1-1:', '1x-0', '12x-0', '1-2x', '+1-0', '1-+1', '1-2-3', ' 1-0', '1-0 ',
    // above 2^64-1: by one, in the last digit, in a middle digit, by length
    `${U64_MAX + 1n}-0`, `0-${U64_MAX + 1n}`, '18446744073709551620-0', '18446744073709552615-0', '18500000000000000000-0', '28446744073709551615-0',
    '99999999999999999999-0', '0-99999999999999999999', '100000000000000000000-0', '0-100000000000000000000',
  ])('%j', (id) => {
    expectInvalid(id);
  });

  it.each([[null], [undefined], [5], [['1-0']], [{ toString: () => '1-0' }]])('a non-string %j', (value) => {
    expectInvalid(value);
  });
});

describe('stream id order at the edges of the scan', () => {
  // [older, newer]: each pair differs in one place the comparison must look at.
  it.each([
    ['9-0', '10-0'], // ms length decides, against the digits
    ['10-0', '19-0'], // ms, last digit
    ['12-0', '13-0'],
    ['12-9', '13-0'], // ms decides over a larger seq of the same length
    ['12-99', '13-0'], // ms decides over a longer seq
    ['13-0', '13-1'], // seq only
    ['5-9', '5-10'], // seq length decides, against the digits
    ['5-10', '5-19'],
    ['5-19', '5-20'],
    ['0-0', '0-1'],
    [`${MAX}-0`, `${MAX}-${MAX}`],
    [`${U64_MAX - 1n}-${MAX}`, `${MAX}-0`],
    ['9999999999999999999-0', '10000000000000000000-0'],
  ])('%s < %s', (older, newer) => {
    for (const compare of [compareStreamIds, compareCanonicalStreamIds]) {
      expect(compare(older, newer)).toBe(-1);
      expect(compare(newer, older)).toBe(1);
      expect(compare(older, older)).toBe(0);
      expect(compare(newer, `${newer}`)).toBe(0);
    }
    expect(maxStreamId(older, newer)).toBe(newer);
    expect(maxStreamId(newer, older)).toBe(newer);
  });
});

describe('nextStreamId and previousStreamId at the 64-bit ends', () => {
  it('takes the clock up to 2^64-1 and clamps from 2^64 on', () => {
    // The largest double below 2^64 is 2^64-2048: exact, still a valid ms.
    expect(nextStreamId('1-0', 2 ** 64 - 2048)).toBe(`${2n ** 64n - 2048n}-0`);
    expect(nextStreamId('1-0', 2 ** 64)).toBe(`${MAX}-0`);
    expect(nextStreamId('1-0', 0.5)).toBe('1-1');
    expect(nextStreamId('0-0', 1.5)).toBe('1-0');
  });

  it('an exhausted last id is refused with INVALID_STREAM_ID naming it', () => {
    let error: unknown;
    try {
      nextStreamId(`${MAX}-${MAX}`, 2 ** 64);
    } catch (err) {
      error = err;
    }
    expect(TaskStreamError.is(error, 'INVALID_STREAM_ID')).toBe(true);
    expect((error as Error).message).toContain(`after ${MAX}-${MAX}`);
  });

  it('previousStreamId of 0-0 is undefined; of a malformed id throws', () => {
    expect(previousStreamId('0-0')).toBeUndefined();
    expect(previousStreamId(`${MAX}-0`)).toBe(`${U64_MAX - 1n}-${MAX}`);
    expect(thrownCode(() => previousStreamId('0-01'))).toBe('INVALID_STREAM_ID');
  });
});
