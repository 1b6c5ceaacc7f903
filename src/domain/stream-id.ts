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

/**
 * Parses `ms-seq`. Rejects `$`, `>`, `+`, `-`, a missing sequence, leading zeros, signs and
 * parts above 2^64-1, with `INVALID_STREAM_ID`.
 */
export function parseStreamId(id: string): ParsedStreamId {
  const match = typeof id === 'string' ? ID_PATTERN.exec(id) : null;
  if (match === null) {
    throw new TaskStreamError('INVALID_STREAM_ID', `not a stream id (want "ms-seq"): ${JSON.stringify(String(id)).slice(0, 80)}`);
  }
  const ms = BigInt(match[1]!);
  const seq = BigInt(match[2]!);
  if (ms > U64_MAX || seq > U64_MAX) {
    throw new TaskStreamError('INVALID_STREAM_ID', `stream id part exceeds 64 bits: ${id}`);
  }
  return { ms, seq };
}

/** True when `id` is a well-formed `ms-seq` stream id. */
export function isStreamId(id: unknown): id is StreamId {
  if (typeof id !== 'string') return false;
  try {
    parseStreamId(id);
    return true;
  } catch {
    return false;
  }
}

/** Formats a parsed id back to its canonical string. */
export function formatStreamId(id: ParsedStreamId): StreamId {
  return `${id.ms}-${id.seq}`;
}

/** Compares two stream ids exactly: negative when `a` is older, 0 when equal, positive when newer. */
export function compareStreamIds(a: StreamId, b: StreamId): number {
  const pa = parseStreamId(a);
  const pb = parseStreamId(b);
  if (pa.ms !== pb.ms) return pa.ms < pb.ms ? -1 : 1;
  if (pa.seq !== pb.seq) return pa.seq < pb.seq ? -1 : 1;
  return 0;
}

/** The larger of two stream ids. */
export function maxStreamId(a: StreamId, b: StreamId): StreamId {
  return compareStreamIds(a, b) >= 0 ? a : b;
}

/**
 * The id Redis would assign for an auto-generated (`*`) append at `nowMs` after `last`:
 * `nowMs-0` when the clock moved forward, otherwise `last.ms-(last.seq+1)`, so ids stay monotonic
 * even when the clock goes backwards.
 */
export function nextStreamId(last: StreamId, nowMs: number): StreamId {
  const prev = parseStreamId(last);
  const now = BigInt(Math.max(0, Math.floor(nowMs)));
  if (now > prev.ms) return formatStreamId({ ms: now, seq: 0n });
  if (prev.seq === U64_MAX) return formatStreamId({ ms: prev.ms + 1n, seq: 0n });
  return formatStreamId({ ms: prev.ms, seq: prev.seq + 1n });
}
