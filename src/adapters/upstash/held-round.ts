import type { StreamEntry, TopicCursor } from '../../ports/stream-repository.js';
import { compareCanonicalStreamIds } from '../../domain/stream-id.js';

/** What one held round reads: each topic after the lowest cursor any waiter holds, the largest count (0 = no limit). */
export interface RoundPlan {
  readonly cursors: ReadonlyMap<string, string>;
  readonly count: number;
}

/** A waiting read as the round sees it. */
export interface RoundReader {
  readonly cursors: readonly TopicCursor[];
  readonly count: number;
}

export function planRound(readers: Iterable<RoundReader>): RoundPlan {
  const cursors = new Map<string, string>();
  let count = 1;
  let unlimited = false;
  for (const reader of readers) {
    if (reader.count === 0) unlimited = true;
    count = Math.max(count, reader.count);
    for (const { topic, afterId } of reader.cursors) {
      const held = cursors.get(topic);
      if (held === undefined || compareCanonicalStreamIds(afterId, held) < 0) cursors.set(topic, afterId);
    }
  }
  return { cursors, count: unlimited ? 0 : count };
}

/** Whether a round with this plan returns everything the reader may want (each topic read from at or before its cursor). */
export function covers(plan: RoundPlan, reader: RoundReader): boolean {
  for (const { topic, afterId } of reader.cursors) {
    const held = plan.cursors.get(topic);
    if (held === undefined || compareCanonicalStreamIds(held, afterId) > 0) return false;
  }
  return true;
}

/** A round's answer by topic: the cursor it read after, and the entries. Topics with none are left out. */
export type RoundAnswer = ReadonlyMap<string, { readonly from: string; readonly entries: readonly StreamEntry[] }>;

export function roundAnswer(cursors: readonly TopicCursor[], results: readonly StreamEntry[][]): RoundAnswer {
  const byTopic = new Map<string, { from: string; entries: readonly StreamEntry[] }>();
  cursors.forEach((c, i) => {
    const entries = results[i] ?? [];
    if (entries.length > 0) byTopic.set(c.topic, { from: c.afterId, entries });
  });
  return byTopic;
}

/**
 * The reader's share of a round: per cursor, at most `count` entries after it; `undefined` when
 * none. A topic the round read from AFTER the reader's cursor (the reader joined mid-round with
 * an older cursor) gives it nothing: taking those entries would skip what lies between.
 */
export function shareOf(answer: RoundAnswer, reader: RoundReader): StreamEntry[][] | undefined {
  let any = false;
  const out = reader.cursors.map((c) => {
    const got = answer.get(c.topic);
    if (got === undefined || compareCanonicalStreamIds(got.from, c.afterId) > 0) return [];
    let start = 0;
    while (start < got.entries.length && compareCanonicalStreamIds(got.entries[start]!.id, c.afterId) <= 0) start++;
    const page = got.entries.slice(start, reader.count > 0 ? start + reader.count : undefined);
    if (page.length > 0) any = true;
    return page;
  });
  return any ? out : undefined;
}
