/**
 * Low-rate faults, one port method at a time: the memory backend with a rare, random defect (a
 * dropped, duplicated or reordered entry, a stale tail, a stale info, an ignored delete), seeded so
 * a failure replays. The teeth tests and `bench/conformance-catch-rate.ts` show that the
 * conformance suite catches each of them.
 */
import { wrapRepository } from '../../src/conformance/wrap-repository.js';
import type { StreamId } from '../../src/domain/stream-id.js';
import type { EntryFields, StreamEntry, StreamRepository } from '../../src/ports/stream-repository.js';
import { seededRandom } from './seeded-random.js';

/** The port methods a fault can hit (`close` is called once per backend: no rate applies). */
export type FaultyMethod = 'append' | 'read' | 'tailId' | 'info' | 'deleteTopic';

/** One fault: which method misbehaves, how, and how often (per entry for entry faults, else per call). */
export interface LowRateFault {
  readonly method: FaultyMethod;
  readonly kind: 'drop' | 'duplicate' | 'reorder' | 'stale' | 'ignored';
  readonly rate: number;
}

/** Every fault the catch-rate measurement covers, at 1 %. */
export const LOW_RATE_FAULTS: readonly LowRateFault[] = [
  { method: 'append', kind: 'drop', rate: 0.01 },
  { method: 'append', kind: 'duplicate', rate: 0.01 },
  { method: 'append', kind: 'reorder', rate: 0.01 },
  { method: 'read', kind: 'drop', rate: 0.01 },
  { method: 'read', kind: 'duplicate', rate: 0.01 },
  { method: 'read', kind: 'reorder', rate: 0.01 },
  { method: 'tailId', kind: 'stale', rate: 0.01 },
  { method: 'info', kind: 'stale', rate: 0.01 },
  { method: 'deleteTopic', kind: 'ignored', rate: 0.01 },
];

/** `append/drop` and so on. */
export function faultName(fault: LowRateFault): string {
  return `${fault.method}/${fault.kind}`;
}

/** Swaps neighbours, each pair with probability `rate` (a swapped element does not move twice). */
function reorder<T>(items: readonly T[], rate: number, random: () => number): T[] {
  const out = [...items];
  for (let i = 1; i < out.length; i++) {
    if (random() < rate) {
      [out[i - 1], out[i]] = [out[i]!, out[i - 1]!];
      i++;
    }
  }
  return out;
}

/** The id just below `id`: a read after it returns the entry at `id` again. */
function justBefore(id: StreamId): StreamId {
  const [ms, seq] = id.split('-').map(BigInt) as [bigint, bigint];
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  return ms > 0n ? `${ms - 1n}-18446744073709551615` : '0-0';
}

/** Wraps `inner` so that `fault` strikes at its rate, drawing from a PRNG seeded with `seed`. */
export function withLowRateFault(inner: StreamRepository, fault: LowRateFault, seed: number): StreamRepository {
  const random = seededRandom(seed);
  const hit = (): boolean => random() < fault.rate;
  const { method, kind, rate } = fault;
  /** append/drop: writes that report an id but are never seen by any reader (a lost write). */
  const lost = new Set<StreamId>();
  const visible = (entries: readonly StreamEntry[]): StreamEntry[] => (lost.size === 0 ? [...entries] : entries.filter((e) => !lost.has(e.id)));
  const overrides: Partial<StreamRepository> = {
    read: async (topic, afterId, options) => {
      const entries = visible(await inner.read(topic, afterId, options));
      if (method !== 'read') return entries;
      if (kind === 'drop') return entries.filter(() => !hit());
      if (kind === 'duplicate') return entries.flatMap((e) => (hit() ? [e, e] : [e]));
      return reorder(entries, rate, random);
    },
  };
  if (method === 'append') {
    overrides.append = async (request) => {
      if (kind === 'reorder') return inner.append({ ...request, entries: reorder(request.entries, rate, random) });
      const result = await inner.append(request);
      if (kind === 'drop') {
        for (const id of result.ids) if (hit()) lost.add(id);
        return result;
      }
      // duplicate: a blind retry of single entries, after the batch.
      const again: EntryFields[] = request.entries.filter(() => hit());
      if (again.length > 0 && result.ids.length > 0) await inner.append({ topic: request.topic, entries: again, maxLen: request.maxLen, ttlSeconds: request.ttlSeconds });
      return result;
    };
  }
  if (method === 'tailId') {
    overrides.tailId = async (topic) => {
      const tail = await inner.tailId(topic);
      return tail !== '0-0' && hit() ? justBefore(tail) : tail;
    };
  }
  if (method === 'info') {
    // A stale answer: the stream as it was one entry ago (one entry fewer added, the previous last id).
    overrides.info = async (topic) => {
      const info = await inner.info(topic);
      if (info === null || info.entriesAdded === 0 || !hit()) return info;
      return { ...info, entriesAdded: info.entriesAdded - 1, length: Math.max(0, info.length - 1), lastId: justBefore(info.lastId) };
    };
  }
  if (method === 'deleteTopic') {
    overrides.deleteTopic = async (topic) => {
      if (!hit()) return inner.deleteTopic(topic);
      return (await inner.info(topic)) !== null;
    };
  }
  return wrapRepository(inner, overrides);
}

