import type { EntryFields, StreamEntry, StreamInfo, TopicEntries } from '../../ports/stream-repository.js';
import { ZERO_ID } from '../../domain/stream-id.js';

type RawEntry = [string, string[] | null];

// Parsing runs per delivered entry: plain loops, no destructuring, no String() of what already is one.
const text = (value: unknown): string => (typeof value === 'string' ? value : String(value));

function toFields(flat: readonly string[] | null): EntryFields {
  const fields: Record<string, string> = {};
  if (flat === null) return fields;
  for (let i = 0; i + 1 < flat.length; i += 2) fields[text(flat[i])] = text(flat[i + 1]);
  return fields;
}

/** `XRANGE`/`XREVRANGE` reply → entries. */
export function parseEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const raw = reply as RawEntry[];
  const out: StreamEntry[] = [];
  for (let i = 0; i < raw.length; i++) {
    const entry = raw[i]!;
    out.push({ id: text(entry[0]), fields: toFields(entry[1]) });
  }
  return out;
}

function pushTopic(out: TopicEntries[], topic: unknown, reply: unknown): void {
  const entries = parseEntries(reply);
  if (entries.length > 0) out.push({ topic: text(topic), entries });
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
      for (const pair of reply as [string, unknown][]) pushTopic(out, pair[0], pair[1]);
    } else {
      for (let i = 0; i + 1 < reply.length; i += 2) pushTopic(out, reply[i], reply[i + 1]);
    }
  } else if (typeof reply === 'object') {
    for (const [topic, entries] of Object.entries(reply as Record<string, unknown>)) pushTopic(out, topic, entries);
  }
  return out;
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
