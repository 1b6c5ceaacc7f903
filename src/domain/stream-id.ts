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
const U64_MAX_TEXT = U64_MAX.toString();
/** 2^64 as a double (exact): every double below it is at most 2^64-1 once floored. */
const TWO_TO_64 = 2 ** 64;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Parses `ms-seq`. Rejects `$`, `>`, `+`, `-`, a missing sequence, leading zeros, signs and
 * parts above 2^64-1, with `INVALID_STREAM_ID`.
 */
export function parseStreamId(id: string): ParsedStreamId {
  if (!isStreamId(id)) throw invalidStreamId(id);
  const dash = id.indexOf('-');
  return { ms: BigInt(id.slice(0, dash)), seq: BigInt(id.slice(dash + 1)) };
}

function invalidStreamId(id: unknown): TaskStreamError {
  return new TaskStreamError('INVALID_STREAM_ID', `not a stream id (want "ms-seq", parts in 0..2^64-1): ${describe(id)}`, { details: { id } });
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : typeof value;
  return JSON.stringify(value).slice(0, 80);
}

/**
 * Throws like {@link parseStreamId} for a malformed id, without allocating; for checks on the
 * read path, which runs per delivered entry.
 */
export function assertStreamId(id: string): void {
  if (!isStreamId(id)) throw invalidStreamId(id);
}

/** True when `id` is a well-formed `ms-seq` stream id. Allocation-free: one scan of the text. */
export function isStreamId(id: unknown): id is StreamId {
  if (typeof id !== 'string') return false;
  const dash = id.indexOf('-');
  return isU64Text(id, 0, dash) && isU64Text(id, dash + 1, id.length);
}

/**
 * Whether `text[from, to)` is a canonical decimal (digits only, no leading zero) of at most
 * 2^64-1: fewer digits than 2^64-1 has, or as many and not above it digit by digit.
 */
function isU64Text(text: string, from: number, to: number): boolean {
  const length = to - from;
  if (length < 1 || length > U64_MAX_TEXT.length) return false;
  if (length > 1 && text.charCodeAt(from) === ZERO) return false;
  let below = length < U64_MAX_TEXT.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(from + i);
    if (c < ZERO || c > NINE) return false;
    if (below) continue;
    const max = U64_MAX_TEXT.charCodeAt(i);
    if (c > max) return false;
    below = c < max;
  }
  return true;
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
 * Throws `INVALID_STREAM_ID` for a malformed id. Allocation-free (this runs per delivered entry).
 */
export function compareStreamIds(a: StreamId, b: StreamId): number {
  if (!isStreamId(a)) throw invalidStreamId(a);
  if (!isStreamId(b)) throw invalidStreamId(b);
  return compareCanonicalStreamIds(a, b);
}

/**
 * The one id order, for ids known to be canonical (validated, or printed by Redis): -1, 0 or 1.
 * Decimal parts without leading zeros compare by length and then digit by digit, so no BigInt
 * and no substring is made. Not checked: a malformed id gets an arbitrary result. Use
 * {@link compareStreamIds} for untrusted ids.
 */
export function compareCanonicalStreamIds(a: StreamId, b: StreamId): number {
  const dash = a.indexOf('-');
  const otherDash = b.indexOf('-');
  if (dash < otherDash) return -1;
  if (dash > otherDash) return 1;
  // Equally long ms parts: the first digit that differs decides.
  let i = 0;
  for (; i !== dash; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return Math.sign(d);
  }
  // Equal ms: the shorter seq is the smaller; equally long ones compare digit by digit.
  if (a.length < b.length) return -1;
  if (a.length > b.length) return 1;
  for (; i !== a.length; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** The larger of two stream ids. */
export function maxStreamId(a: StreamId, b: StreamId): StreamId {
  return compareStreamIds(a, b) === -1 ? b : a;
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
  if (!Number.isFinite(nowMs)) {
    throw new TaskStreamError('INVALID_ARGUMENT', `nowMs must be a finite number, got ${String(nowMs)}`);
  }
  const now = nowMs < TWO_TO_64 ? BigInt(Math.max(0, Math.floor(nowMs))) : U64_MAX;
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
