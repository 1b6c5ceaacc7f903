import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../src/domain/errors.js';
import { formatStreamId, maxStreamId, nextStreamId, parseStreamId, previousStreamId } from '../../src/domain/stream-id.js';
import { thrownCode } from '../helpers/caught.js';

// Edges of the stream-id helpers that the mutation run found unpinned: each bound of
// formatStreamId on each part, and the ids at the ends of the 64-bit range.

const U64_MAX = (1n << 64n) - 1n;


function errorOf(fn: () => unknown): TaskStreamError {
  try {
    fn();
  } catch (err) {
    if (TaskStreamError.is(err)) return err;
  }
  throw new Error('expected a TaskStreamError');
}

describe('parseStreamId errors say what was refused, bounded', () => {
  it('quotes a string id, cut to 80 characters, and carries it in details', () => {
    const err = errorOf(() => parseStreamId('$'));
    expect(err.message).toContain('"$"');
    expect(err.details).toEqual({ id: '$' });
    const long = `1-${'x'.repeat(10_000)}`;
    const longErr = errorOf(() => parseStreamId(long));
    expect(longErr.message).toContain(JSON.stringify(long).slice(0, 80));
    expect(longErr.message).not.toContain(JSON.stringify(long).slice(0, 81));
  });

  it('names the type of a non-string instead of printing it (null as null)', () => {
    const secret = { toString: () => 'secret-token' };
    const err = errorOf(() => parseStreamId(secret as unknown as string));
    expect(err.message).toMatch(/: object$/);
    expect(err.message).not.toContain('secret-token');
    expect(errorOf(() => parseStreamId(null as unknown as string)).message).toMatch(/: null$/);
    expect(errorOf(() => parseStreamId(7 as unknown as string)).message).toMatch(/: number$/);
  });
});

describe('formatStreamId bounds, part by part', () => {
  it.each<[string, unknown, unknown]>([
    ['ms a number', 1, 0n],
    ['seq a number', 0n, 1],
    ['ms a string', '1', 0n],
    ['seq a string', 0n, '1'],
    ['ms negative', -1n, 0n],
    ['seq negative', 0n, -1n],
    ['ms above 2^64-1', U64_MAX + 1n, 0n],
    ['seq above 2^64-1', 0n, U64_MAX + 1n],
  ])('refuses %s with INVALID_STREAM_ID', (_what, ms, seq) => {
    expect(thrownCode(() => formatStreamId({ ms, seq } as { ms: bigint; seq: bigint }))).toBe('INVALID_STREAM_ID');
  });

  it('accepts both ends of the range on each part', () => {
    expect(formatStreamId({ ms: 0n, seq: U64_MAX })).toBe(`0-${U64_MAX}`);
    expect(formatStreamId({ ms: U64_MAX, seq: 0n })).toBe(`${U64_MAX}-0`);
  });
});

describe('ids at the ends of the range', () => {
  it('maxStreamId of equal ids is that id; of ids in one ms, the higher seq', () => {
    expect(maxStreamId('5-5', '5-5')).toBe('5-5');
    expect(maxStreamId('5-4', '5-5')).toBe('5-5');
    expect(maxStreamId('5-5', '5-4')).toBe('5-5');
  });

  it('nextStreamId at the last seq of the last ms refuses, naming the exhausted id', () => {
    let error: unknown;
    try {
      nextStreamId(`${U64_MAX}-${U64_MAX}`, 0);
    } catch (err) {
      error = err;
    }
    expect(TaskStreamError.is(error, 'INVALID_STREAM_ID')).toBe(true);
    expect((error as Error).message).toContain('exhausted');
  });

  it('nextStreamId at the last ms with the clock at the very end bumps the seq', () => {
    expect(nextStreamId(`${U64_MAX}-0`, 1e30)).toBe(`${U64_MAX}-1`);
  });

  it('previousStreamId at 0-1 is 0-0, and at 1-0 the last seq of ms 0', () => {
    expect(previousStreamId('0-1')).toBe('0-0');
    expect(previousStreamId('1-0')).toBe(`0-${U64_MAX}`);
  });
});
