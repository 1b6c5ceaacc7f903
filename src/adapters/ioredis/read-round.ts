import type { Redis } from 'ioredis';
import type { StreamEntry, TopicEntries } from '../../ports/stream-repository.js';
import type { StreamId } from '../../domain/stream-id.js';
import { parseXRead } from './replies.js';

/** One round of the multiplexed reader: the lowest cursor per topic, the largest count, the block time. */
export interface RoundPlan {
  readonly cursors: Map<string, StreamId>;
  readonly count: number;
  readonly blockMs: number;
}

/**
 * Issues one round on the blocking connection: a single `XREAD COUNT c BLOCK ms STREAMS ...`
 * when every topic may share it, otherwise (Redis Cluster: one XREAD cannot span hash slots)
 * a pipeline that polls every group but one without blocking and blocks at most
 * `multiGroupPollMs` on the last, rotating which group blocks with `rotation`.
 */
export async function readRound(
  conn: Redis,
  plan: RoundPlan,
  groupOf: (topic: string) => number,
  rotation: number,
  multiGroupPollMs: number,
): Promise<TopicEntries[]> {
  const groups = new Map<number, string[]>();
  for (const topic of plan.cursors.keys()) {
    const group = groupOf(topic);
    const list = groups.get(group);
    if (list === undefined) groups.set(group, [topic]);
    else list.push(topic);
  }
  const args = (topics: string[], blockMs: number | undefined): (string | number)[] => [
    'COUNT', plan.count,
    ...(blockMs === undefined ? [] : ['BLOCK', blockMs]),
    'STREAMS', ...topics, ...topics.map((t) => plan.cursors.get(t)!),
  ];
  const lists = [...groups.values()];
  if (lists.length === 1) return parseXRead(await conn.call('XREAD', ...args(lists[0]!, plan.blockMs)));
  const pivot = rotation % lists.length;
  const ordered = [...lists.slice(pivot + 1), ...lists.slice(0, pivot + 1)];
  const pipeline = conn.pipeline();
  ordered.forEach((topics, i) => {
    const last = i === ordered.length - 1;
    pipeline.call('XREAD', ...args(topics, last ? Math.min(plan.blockMs, multiGroupPollMs) : undefined));
  });
  const replies = (await pipeline.exec()) ?? [];
  const out: TopicEntries[] = [];
  for (const [err, reply] of replies) {
    if (err) throw err;
    out.push(...parseXRead(reply));
  }
  return out;
}

/** At most `count` of `entries` (in id order) strictly after `cursor`. */
export function entriesAfter(entries: readonly StreamEntry[], cursor: StreamId, count: number): StreamEntry[] {
  let start = 0;
  while (start < entries.length && compareIds(entries[start]!.id, cursor) <= 0) start++;
  return entries.slice(start, start + count);
}

/**
 * Exact order of two canonical stream ids (validated by the repository, or printed by Redis):
 * decimal parts without leading zeros compare by length, then by text. No BigInt on the hot path.
 */
export function compareIds(a: StreamId, b: StreamId): number {
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
