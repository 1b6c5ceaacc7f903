import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { StreamRepository } from '../ports/stream-repository.js';
import { previousStreamId, ZERO_ID } from '../domain/stream-id.js';
import { decodeRecord, encodeRecord, isTerminalRecord } from './entries.js';

/** Where a stream stands: never created (or expired), being written, or over. */
export type StreamState = 'missing' | 'live' | 'done';

/** What reading a stream's state needs. */
export interface StateDeps {
  readonly repository: StreamRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Lease assumed when the stream's `open` entry is gone (trimmed). */
  readonly leaseMs: number;
  readonly ttlSeconds: number;
}

/**
 * Reads a stream's state: its last entry says whether it ended; a last entry older than the
 * writer's lease means the writer is gone, and the stream is ended for everyone on the spot
 * (an `end` entry with reason `lease_expired`), so every instance agrees from then on.
 */
export async function readStreamState(deps: StateDeps, topic: string): Promise<StreamState> {
  const info = await deps.repository.info(topic);
  if (info === null || info.length === 0) return 'missing';
  const before = previousStreamId(info.lastId) ?? ZERO_ID;
  const [[lastEntry], [firstEntry]] = await Promise.all([deps.repository.read(topic, before, { count: 1 }), deps.repository.read(topic, ZERO_ID, { count: 1 })]);
  const last = lastEntry === undefined ? undefined : decodeRecord(lastEntry);
  if (last === undefined) return 'live';
  if (isTerminalRecord(last)) return 'done';
  const first = firstEntry === undefined ? undefined : decodeRecord(firstEntry);
  const leaseMs = first?.kind === 'open' ? first.leaseMs : deps.leaseMs;
  if (deps.clock.now() - last.at <= leaseMs) return 'live';
  await endForLease(deps, topic);
  return 'done';
}

/** Appends the explicit end of a stream whose writer's lease expired. Best effort: a failure is logged, and every reader still ends on its own. */
export async function endForLease(deps: StateDeps, topic: string): Promise<void> {
  try {
    await deps.repository.append({ topic, entries: [encodeRecord({ kind: 'end', at: deps.clock.now(), reason: 'lease_expired' })], maxLen: 0, ttlSeconds: deps.ttlSeconds });
  } catch (err) {
    deps.logger.warn('taskstream/resumable-stream: could not record the end of a stream whose writer lease expired', { topic, error: err instanceof Error ? err.message : String(err) });
  }
}
