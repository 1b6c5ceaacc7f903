import { TaskStreamError } from './errors.js';

/** A Redis stream id, `ms-seq`, as the canonical decimal string Redis prints. */
export type StreamId = string;

/** A parsed stream id; both parts are unsigned 64-bit, kept as bigint so nothing rounds. */
export interface ParsedStreamId {
  readonly ms: bigint;
  readonly seq: bigint;
}

/** The id before every entry: reading after it returns the whole stream. */
export const ZERO_ID: StreamId = '0-0';

const U64_MAX = (1n << 64n) - 1n;
const ID_PATTERN = /^(0|[1-9][0-9]{0,19})-(0|[1-9][0-9]{0,19})$/;
/** Ids whose parts have at most 19 digits: always below 2^64, so valid once they match. */
const SHORT_ID_PATTERN = /^(?:0|[1-9][0-9]{0,18})-(?:0|[1-9][0-9]{0,18})$/;

/**
 * Parses `ms-seq`. Rejects `$`, `>`, `+`, `-`, a missing sequence, leading zeros, signs and
 * parts above 2^64-1, with `INVALID_STREAM_ID`.
 */
export function parseStreamId(id: string): ParsedStreamId {
  const match = typeof id === 'string' ? ID_PATTERN.exec(id) : null;
  if (match === null) {
    throw new TaskStreamError('INVALID_STREAM_ID', `not a stream id (want "ms-seq"): ${describe(id)}`, { details: { id } });
  }
  const ms = BigInt(match[1]!);
  const seq = BigInt(match[2]!);
  if (ms > U64_MAX || seq > U64_MAX) {
    throw new TaskStreamError('INVALID_STREAM_ID', `stream id part exceeds 64 bits: ${id}`);
  }
  return { ms, seq };
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : typeof value;
  return JSON.stringify(value).slice(0, 80);
}

/**
 * Throws like {@link parseStreamId} for a malformed id, without allocating for the common ones
 * (parts of up to 19 digits); for checks on the read path, which runs per delivered entry.
 */
export function assertStreamId(id: string): void {
  if (typeof id !== 'string' || !SHORT_ID_PATTERN.test(id)) parseStreamId(id);
}

const U64_MAX_TEXT = U64_MAX.toString();

/** True when `id` is a well-formed `ms-seq` stream id. */
export function isStreamId(id: unknown): id is StreamId {
  const match = typeof id === 'string' ? ID_PATTERN.exec(id) : null;
  return match !== null && fitsU64(match[1]!) && fitsU64(match[2]!);
}

/** A canonical decimal (no sign, no leading zero) is at most 2^64-1: compare by length, then text. */
function fitsU64(digits: string): boolean {
  return digits.length < U64_MAX_TEXT.length || (digits.length === U64_MAX_TEXT.length && digits <= U64_MAX_TEXT);
}

/** Formats a parsed id back to its canonical string; parts outside 0..2^64-1 are `INVALID_STREAM_ID`. */
export function formatStreamId(id: ParsedStreamId): StreamId {
  if (typeof id.ms !== 'bigint' || typeof id.seq !== 'bigint' || id.ms < 0n || id.seq < 0n || id.ms > U64_MAX || id.seq > U64_MAX) {
    throw new TaskStreamError('INVALID_STREAM_ID', `stream id parts must be bigints in 0..2^64-1, got ${String(id.ms)}-${String(id.seq)}`);
  }
  return `${id.ms}-${id.seq}`;
}

/**
 * Compares two stream ids exactly: negative when `a` is older, 0 when equal, positive when newer.
 * Throws `INVALID_STREAM_ID` for a malformed id.
 */
export function compareStreamIds(a: StreamId, b: StreamId): number {
  // Both checks are allocation-free for the common ids (parts of up to 19 digits, always below
  // 2^64); longer ones go through the full check. This runs per delivered entry.
  if (!SHORT_ID_PATTERN.test(a) && !isStreamId(a)) parseStreamId(a);
  if (!SHORT_ID_PATTERN.test(b) && !isStreamId(b)) parseStreamId(b);
  return compareCanonicalStreamIds(a, b);
}

/**
 * The one id order, for ids known to be canonical (validated, or printed by Redis): the decimal
 * parts, without leading zeros, compare by length and then digit by digit, so no BigInt and no
 * substring is made. Not checked: a malformed id gets an arbitrary order. Use
 * {@link compareStreamIds} for untrusted ids.
 */
export function compareCanonicalStreamIds(a: StreamId, b: StreamId): number {
  if (a === b) return 0;
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  if (da !== db) return da < db ? -1 : 1;
  const ms = compareDigits(a, 0, da, b, 0, db);
  if (ms !== 0) return ms;
  const sa = a.length - da;
  const sb = b.length - db;
  if (sa !== sb) return sa < sb ? -1 : 1;
  return compareDigits(a, da + 1, a.length, b, db + 1, b.length);
}

/** Compares two equally long digit runs. */
function compareDigits(a: string, aFrom: number, aTo: number, b: string, bFrom: number, bTo: number): number {
  for (let i = aFrom, j = bFrom; i < aTo && j < bTo; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The larger of two stream ids. */
export function maxStreamId(a: StreamId, b: StreamId): StreamId {
  return compareStreamIds(a, b) >= 0 ? a : b;
}

/**
 * The id Redis would assign for an auto-generated (`*`) append at `nowMs` after `last`:
 * `nowMs-0` when the clock moved forward, otherwise `last.ms-(last.seq+1)`, so ids stay monotonic
 * even when the clock goes backwards (a negative time counts as 0, a time beyond 2^64-1 as 2^64-1).
 * Throws `INVALID_ARGUMENT` for a `nowMs` that is not a finite number, and `INVALID_STREAM_ID`
 * after `18446744073709551615-18446744073709551615`, where Redis too refuses to add entries.
 */
export function nextStreamId(last: StreamId, nowMs: number): StreamId {
  const prev = parseStreamId(last);
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
    throw new TaskStreamError('INVALID_ARGUMENT', `nowMs must be a finite number, got ${String(nowMs)}`);
  }
  let now = BigInt(Math.max(0, Math.floor(nowMs)));
  if (now > U64_MAX) now = U64_MAX;
  if (now > prev.ms) return formatStreamId({ ms: now, seq: 0n });
  if (prev.seq < U64_MAX) return formatStreamId({ ms: prev.ms, seq: prev.seq + 1n });
  if (prev.ms < U64_MAX) return formatStreamId({ ms: prev.ms + 1n, seq: 0n });
  throw new TaskStreamError('INVALID_STREAM_ID', `the stream has exhausted the last possible id after ${last}`);
}

/**
 * The greatest id before `id`: `ms-(seq-1)`, or `(ms-1)-18446744073709551615` when `seq` is 0.
 * Reading after it returns the entry at `id` first, when the stream holds one. `undefined` for
 * `0-0`, which nothing precedes. Throws `INVALID_STREAM_ID` for a malformed id.
 */
export function previousStreamId(id: StreamId): StreamId | undefined {
  const { ms, seq } = parseStreamId(id);
  if (seq > 0n) return formatStreamId({ ms, seq: seq - 1n });
  if (ms > 0n) return formatStreamId({ ms: ms - 1n, seq: U64_MAX });
  return undefined;
}
