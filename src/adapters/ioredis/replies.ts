import type { EntryFields, StreamEntry, StreamInfo, TopicEntries } from '../../ports/stream-repository.js';
import { ZERO_ID } from '../../domain/stream-id.js';

type RawEntry = [string, string[] | null];

function toFields(flat: readonly string[] | null): EntryFields {
  const fields: Record<string, string> = {};
  if (flat === null) return fields;
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
  return fields;
}

/** `XRANGE`/`XREVRANGE` reply → entries. */
export function parseEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  return (reply as RawEntry[]).map(([id, flat]) => ({ id: String(id), fields: toFields(flat) }));
}

/**
 * `XREAD` reply → per-topic entries. Accepts the RESP2 shape `[[key, entries], ...]`, the
 * RESP3 "legacy" flat map `[key, entries, key, entries]`, and a RESP3 object map.
 */
export function parseXRead(reply: unknown): TopicEntries[] {
  if (reply === null || reply === undefined) return [];
  const out: TopicEntries[] = [];
  if (Array.isArray(reply)) {
    if (reply.length > 0 && Array.isArray(reply[0])) {
      for (const pair of reply as [string, unknown][]) out.push({ topic: String(pair[0]), entries: parseEntries(pair[1]) });
    } else {
      for (let i = 0; i + 1 < reply.length; i += 2) out.push({ topic: String(reply[i]), entries: parseEntries(reply[i + 1]) });
    }
  } else if (typeof reply === 'object') {
    for (const [topic, entries] of Object.entries(reply as Record<string, unknown>)) out.push({ topic, entries: parseEntries(entries) });
  }
  return out.filter((t) => t.entries.length > 0);
}

/** `XINFO STREAM` reply (flat or object map) and `PTTL` → {@link StreamInfo}. */
export function parseInfo(xinfo: unknown, pttl: unknown): StreamInfo {
  const map = new Map<string, unknown>();
  if (Array.isArray(xinfo)) {
    for (let i = 0; i + 1 < xinfo.length; i += 2) map.set(String(xinfo[i]), xinfo[i + 1]);
  } else if (xinfo !== null && typeof xinfo === 'object') {
    for (const [k, v] of Object.entries(xinfo)) map.set(k, v);
  }
  const firstEntry = map.get('first-entry');
  const length = Number(map.get('length') ?? 0);
  const ttl = Number(pttl);
  return {
    length,
    firstId: length > 0 && Array.isArray(firstEntry) ? String(firstEntry[0]) : ZERO_ID,
    lastId: String(map.get('last-generated-id') ?? ZERO_ID),
    entriesAdded: Number(map.get('entries-added') ?? length),
    maxDeletedId: String(map.get('max-deleted-entry-id') ?? ZERO_ID),
    ttlMs: ttl >= 0 ? ttl : null,
  };
}
