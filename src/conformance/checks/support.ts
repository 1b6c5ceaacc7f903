import type { AppendResult, EntryFields, StreamEntry, StreamRepository } from '../../ports/stream-repository.js';
import { compareStreamIds, isStreamId, type StreamId } from '../../domain/stream-id.js';
import { ensure, show } from '../failure.js';
import type { CheckContext } from '../types.js';

/** Retention that never trims and outlives any check (so real backends clean up even if deleteTopic is missed). */
export const KEEP = { maxLen: 0, ttlSeconds: 600 } as const;

/** Fields of the i-th probe entry; `n` identifies it. */
export function probe(i: number, extra = ''): EntryFields {
  return { n: String(i), body: `entry ${i}${extra}` };
}

/** Appends `count` probe entries numbered from `from`, in batches of `batch`; returns the ids. */
export async function appendProbes(
  ctx: CheckContext,
  topic: string,
  from: number,
  count: number,
  options: { batch?: number; maxLen?: number; ttlSeconds?: number } = {},
): Promise<StreamId[]> {
  const ids: StreamId[] = [];
  const batch = options.batch ?? 1;
  for (let i = from; i < from + count; i += batch) {
    const entries: EntryFields[] = [];
    for (let j = i; j < Math.min(from + count, i + batch); j++) entries.push(probe(j));
    const result = await ctx.repository.append({
      topic,
      entries,
      maxLen: options.maxLen ?? KEEP.maxLen,
      ttlSeconds: options.ttlSeconds ?? KEEP.ttlSeconds,
    });
    ensureAppended(result, entries.length, 'append');
    ids.push(...result.ids);
  }
  return ids;
}

/** Checks an append result wrote `count` entries with well-formed, increasing ids. */
export function ensureAppended(result: AppendResult, count: number, what: string): void {
  ensure(result.ids.length === count, 'rule 1 (ids)', () => `${what}: ${count} entries appended but ${result.ids.length} ids returned (${show(result)})`);
  ensure(result.duplicates === 0, 'rule 7 (idempotence)', () => `${what}: no idempotency given, yet ${result.duplicates} duplicates reported`);
  ensureIncreasing(result.ids, 'rule 1 (ids)', what);
}

/** Checks that `ids` are stream ids in strictly increasing order. */
export function ensureIncreasing(ids: readonly StreamId[], rule: string, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    ensure(isStreamId(ids[i]), rule, () => `${what}: ${show(ids[i])} is not an ms-seq stream id`);
    if (i > 0) ensure(compareStreamIds(ids[i - 1]!, ids[i]!) < 0, rule, () => `${what}: id ${ids[i]} does not follow ${ids[i - 1]} (ids ${show(ids)})`);
  }
}

/** Reads a whole topic after `afterId`, page by page (non-blocking). */
export async function readAll(repository: StreamRepository, topic: string, afterId: StreamId = '0-0', count = 1000): Promise<StreamEntry[]> {
  const all: StreamEntry[] = [];
  let cursor = afterId;
  for (let guard = 0; guard < 100_000; guard++) {
    const page = await repository.read(topic, cursor, { count });
    if (page.length === 0) return all;
    const stale = page.find((e) => compareStreamIds(e.id, cursor) <= 0);
    ensure(stale === undefined, 'rule 3 (reads after an id)', () => `read after ${cursor} returned entry ${stale?.id}, which is not after it`);
    all.push(...page);
    cursor = page[page.length - 1]!.id;
  }
  return all;
}

/** The `n` field of each entry, as numbers. */
export function numbers(entries: readonly StreamEntry[]): number[] {
  return entries.map((e) => Number(e.fields['n']));
}

/** A range 0..n-1. */
export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** An id surely newer than `id` (same backend clock or not). */
export function farAfter(id: StreamId): StreamId {
  const ms = BigInt(id.split('-')[0] ?? '0');
  return `${ms + 10_000_000n}-0`;
}

/** Skip reason for backends that cannot block. */
export function needsBlocking(capabilities: { blockingReads: boolean }): string | undefined {
  return capabilities.blockingReads ? undefined : 'backend has no blocking reads (capabilities.blockingReads is false)';
}
