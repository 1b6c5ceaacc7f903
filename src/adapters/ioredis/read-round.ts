import type { Redis } from 'ioredis';
import type { StreamEntry, TopicEntries } from '../../ports/stream-repository.js';
import { compareCanonicalStreamIds, type StreamId } from '../../domain/stream-id.js';
import { groupBy } from '../shared/group-by.js';
import { parseXRead } from './replies.js';
import { XReadCommand, type XReadEncoder } from './xread-command.js';

/** One round of the multiplexed reader: the lowest cursor per topic, the largest count, the block time. */
export interface RoundPlan {
  readonly cursors: Map<string, StreamId>;
  /** The topics whose cursor may differ from the last round's (the rest are unchanged). */
  readonly changed: readonly string[];
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
  groupOf: ((topic: string) => number) | undefined,
  rotation: number,
  multiGroupPollMs: number,
  encoder: XReadEncoder,
): Promise<TopicEntries[]> {
  if (groupOf === undefined || oneGroup(plan.cursors, groupOf)) {
    // The usual case (one server): one request encoded straight into a buffer, no grouping.
    const command = new XReadCommand(encoder.encode(plan.cursors, plan.changed, plan.count, plan.blockMs), plan.blockMs);
    return parseXRead(await conn.sendCommand(command));
  }
  // the `changed` list is relative to the last encoded request, which this round does not update
  encoder.invalidate();
  const groups = groupBy(plan.cursors.keys(), groupOf);
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

function oneGroup(cursors: ReadonlyMap<string, StreamId>, groupOf: (topic: string) => number): boolean {
  let first: number | undefined;
  for (const topic of cursors.keys()) {
    const group = groupOf(topic);
    if (first === undefined) first = group;
    else if (group !== first) return false;
  }
  return true;
}

/** At most `count` of `entries` (in id order) strictly after `cursor`; `entries` itself, not a copy, when that is all of them. */
export function entriesAfter(entries: readonly StreamEntry[], cursor: StreamId, count: number): readonly StreamEntry[] {
  let start = 0;
  while (start < entries.length && compareCanonicalStreamIds(entries[start]!.id, cursor) <= 0) start++;
  if (start === 0 && count >= entries.length) return entries;
  return entries.slice(start, start + count);
}

