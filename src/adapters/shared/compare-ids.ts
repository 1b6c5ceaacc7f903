import type { StreamId } from '../../domain/stream-id.js';

/**
 * Exact order of two canonical stream ids (printed by Redis, or validated and formatted by the
 * repository): decimal parts without leading zeros compare by length, then by text. No parsing
 * and no BigInt, for the read hot path; `compareStreamIds` in the domain accepts any valid id.
 */
export function compareCanonicalIds(a: StreamId, b: StreamId): number {
  if (a === b) return 0;
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  if (da !== db) return da - db;
  const ma = a.slice(0, da);
  const mb = b.slice(0, db);
  if (ma !== mb) return ma < mb ? -1 : 1;
  const sa = a.length - da;
  const sb = b.length - db;
  if (sa !== sb) return sa - sb;
  return a < b ? -1 : 1;
}
