import type { EntryFields, StreamEntry, StreamInfo, TopicCursor } from '../../ports/stream-repository.js';
import { compareStreamIds, ZERO_ID } from '../../domain/stream-id.js';
import { TaskStreamError } from '../../domain/errors.js';
import { groupBy } from '../shared/group-by.js';

function malformed(what: string): TaskStreamError {
  return new TaskStreamError('BACKEND_COMMAND', `upstash returned a malformed ${what} reply`);
}

function toEntry(raw: unknown): StreamEntry {
  if (!Array.isArray(raw) || typeof raw[0] !== 'string') throw malformed('XREAD');
  const flat = Array.isArray(raw[1]) ? (raw[1] as unknown[]) : [];
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
  return { id: raw[0], fields: fields as EntryFields };
}

/**
 * Orders cursors for one `XREAD`: topics in first-seen order, each topic's cursors by id
 * ascending. Redis answers only the non-empty streams, in argument order; with each topic's
 * cursors ascending, its non-empty ones form a prefix, so {@link mapXRead} can pair them back.
 */
export function orderForXRead(cursors: readonly TopicCursor[]): TopicCursor[] {
  return [...groupBy(cursors, (c) => c.topic).values()].flatMap((group) =>
    group.filter((c, i) => group.findIndex((g) => g.afterId === c.afterId) === i).sort((a, b) => compareStreamIds(a.afterId, b.afterId)),
  );
}

/** The `XREAD … STREAMS` arguments for cursors already ordered by {@link orderForXRead}; `count` 0 = no limit; with `blockMs`, a held read. */
export function xreadArgs(ordered: readonly TopicCursor[], count: number, blockMs?: number): string[] {
  const head = count > 0 ? ['XREAD', 'COUNT', String(count)] : ['XREAD'];
  if (blockMs !== undefined) head.push('BLOCK', String(blockMs));
  return [...head, 'STREAMS', ...ordered.map((c) => c.topic), ...ordered.map((c) => c.afterId)];
}

/** Pairs an `XREAD` reply with the ordered cursors: one entry list per cursor, empty when Redis left it out. */
export function mapXRead(ordered: readonly TopicCursor[], reply: unknown): StreamEntry[][] {
  const out: StreamEntry[][] = ordered.map(() => []);
  if (reply === null || reply === undefined) return out;
  if (!Array.isArray(reply)) throw malformed('XREAD');
  let j = 0;
  for (const item of reply) {
    if (!Array.isArray(item)) throw malformed('XREAD');
    const topic = String(item[0]);
    while (j < ordered.length && ordered[j]!.topic !== topic) j++;
    if (j >= ordered.length) throw malformed('XREAD');
    out[j] = (Array.isArray(item[1]) ? item[1] : []).map(toEntry);
    j++;
  }
  return out;
}

/** The {@link INFO_SCRIPT} reply → {@link StreamInfo}, or `null` for a missing topic. */
export function parseInfoReply(reply: unknown): StreamInfo | null {
  if (reply === null || reply === undefined) return null;
  if (!Array.isArray(reply) || reply.length < 6) throw malformed('info');
  const [length, firstId, lastId, entriesAdded, maxDeletedId, pttl] = reply as [unknown, unknown, unknown, unknown, unknown, unknown];
  const ttl = Number(pttl);
  return {
    length: Number(length),
    firstId: String(firstId ?? ZERO_ID),
    lastId: String(lastId ?? ZERO_ID),
    entriesAdded: Number(entriesAdded),
    maxDeletedId: String(maxDeletedId ?? ZERO_ID),
    ttlMs: ttl >= 0 ? ttl : null,
  };
}
