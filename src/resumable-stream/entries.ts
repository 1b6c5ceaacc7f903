import type { EntryFields, StreamEntry } from '../ports/stream-repository.js';

/**
 * What one entry of a resumable stream holds. Field `k` names the kind; `t` is the writer's
 * clock when it wrote the entry (readers time the writer lease from it).
 * - `open`: first entry, written once by the writer that claimed the stream; `l` = lease in ms.
 * - `chunk`: text the writer's `makeStream` produced (`d`), possibly several chunks joined.
 * - `beat`: the writer is alive but had nothing to write for a while.
 * - `end`: the stream is over (`r`: why). Written by the writer, or by the first instance that
 *   saw the writer's lease expire.
 * - `stop`: `stopStream` was called (on any instance); readers end here.
 */
export type StreamRecord =
  | { readonly kind: 'open'; readonly at: number; readonly leaseMs: number }
  | { readonly kind: 'chunk'; readonly at: number; readonly text: string; readonly seq?: number }
  | { readonly kind: 'beat'; readonly at: number; readonly seq?: number }
  | { readonly kind: 'end'; readonly at: number; readonly reason: EndReason; readonly seq?: number }
  | { readonly kind: 'stop'; readonly at: number };

/** Why a stream ended: its source finished, failed, was stopped, or its writer vanished. */
export type EndReason = 'done' | 'error' | 'stopped' | 'lease_expired';

const REASONS: readonly string[] = ['done', 'error', 'stopped', 'lease_expired'];

export function encodeRecord(record: StreamRecord): EntryFields {
  const at = String(record.at);
  const seq: Record<string, string> = 'seq' in record && record.seq !== undefined ? { s: String(record.seq) } : {};
  switch (record.kind) {
    case 'open':
      return { k: 'open', t: at, l: String(record.leaseMs) };
    case 'chunk':
      return { k: 'chunk', t: at, d: record.text, ...seq };
    case 'beat':
      return { k: 'beat', t: at, ...seq };
    case 'end':
      return { k: 'end', t: at, r: record.reason, ...seq };
    case 'stop':
      return { k: 'stop', t: at };
  }
}

/** The record an entry holds, or `undefined` for an entry this module did not write (skipped by readers). */
export function decodeRecord(entry: StreamEntry): StreamRecord | undefined {
  const { k, t, d, l, r, s } = entry.fields;
  const at = Number(t);
  if (!Number.isFinite(at)) return undefined;
  const parsedSeq = s === undefined ? undefined : Number(s);
  const seq = parsedSeq !== undefined && Number.isSafeInteger(parsedSeq) ? { seq: parsedSeq } : {};
  switch (k) {
    case 'open': {
      const leaseMs = Number(l);
      return Number.isSafeInteger(leaseMs) && leaseMs > 0 ? { kind: 'open', at, leaseMs } : undefined;
    }
    case 'chunk':
      return typeof d === 'string' ? { kind: 'chunk', at, text: d, ...seq } : undefined;
    case 'beat':
      return { kind: 'beat', at, ...seq };
    case 'end':
      return { kind: 'end', at, reason: (REASONS.includes(r ?? '') ? r : 'done') as EndReason, ...seq };
    case 'stop':
      return { kind: 'stop', at };
    default:
      return undefined;
  }
}

/** Records after which nothing more is read. */
export function isTerminalRecord(record: StreamRecord): boolean {
  return record.kind === 'end' || record.kind === 'stop';
}
