import { backoffDelay, isRetryable, type Backoff } from '../domain/retry.js';
import { sleep } from '../domain/sleep.js';
import { previousStreamId, ZERO_ID, type StreamId } from '../domain/stream-id.js';
import { decodeRecord, isTerminalRecord } from './entries.js';
import type { ResumableChunk } from './options.js';
import { ReadSeat, sharedReadsOf, type ReadEntry } from './shared-reads.js';
import { endForLease, type StateDeps } from './stream-state.js';

/** What a reader needs besides the state deps. */
export interface ReaderDeps extends StateDeps {
  /** Poll interval on backends that cannot block. */
  readonly pollMs: number;
}

/** Where one reader starts and what it skips. */
export interface ReadPlan {
  readonly topic: string;
  /** Entries after this id (`0-0`: from the start). */
  readonly afterId: StreamId;
  /** Characters of text to drop first (resumable-stream's `skipCharacters`). */
  readonly skipCharacters: number;
  readonly signal?: AbortSignal | undefined;
}

const PAGE = 256;
const MAX_BLOCK_MS = 5_000;
const MAX_RETRIES = 8;
const READ_BACKOFF: Backoff = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 'none' };

/**
 * Reads one stream from the backend as `{ id, text }` pieces until its `end`/`stop` entry, or
 * until its writer's lease runs out (then the reader records the end and closes): it never
 * hangs on a writer that is gone. Blocking reads go through the repository, so on ioredis every
 * reader of the process shares its one multiplexed reader connection.
 */
export function openChunkReader<T = ResumableChunk>(deps: ReaderDeps, plan: ReadPlan, shape: (id: string, text: string) => T = asChunk as (id: string, text: string) => T): ReadableStream<T> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  if (plan.signal?.aborted) stop.abort();
  else plan.signal?.addEventListener('abort', onAbort, { once: true });
  const { repository, clock } = deps;
  const blocking = repository.capabilities.blockingReads;
  const shared = sharedReadsOf(repository, clock);
  const seat = new ReadSeat(stop.signal);
  let cursor = plan.afterId;
  let skipLeft = plan.skipCharacters;
  let leaseMs = deps.leaseMs;
  let leaseKnown = plan.afterId === ZERO_ID;
  // The lease runs from the writer's last entry, but never longer than a lease from when this reader last saw one (clock skew).
  let writerAt = Number.POSITIVE_INFINITY;
  let seenAt = clock.now();
  let caughtUp = false;
  // The writer's next sequence number: lower is a second copy, higher lies beyond a gap the writer re-sends (see OrderedAppender). Unknown (the first numbered entry counts) only when the reader starts past a trimmed start.
  let expected: number | undefined;

  // The first attempt costs one promise (a read per chunk is the hot path); failures retry with backoff.
  const read = (blockMs: number): Promise<readonly ReadEntry[]> => shared.read(plan.topic, cursor, PAGE, blockMs, seat).catch((err: unknown) => retry(err, blockMs));
  const retry = async (first: unknown, blockMs: number): Promise<readonly ReadEntry[]> => {
    let err = first;
    for (let attempt = 1; ; attempt++) {
      if (stop.signal.aborted) return [];
      if (!isRetryable(err) || attempt > MAX_RETRIES) throw err;
      await sleep(clock, backoffDelay(READ_BACKOFF, attempt), stop.signal);
      try {
        return await shared.read(plan.topic, cursor, PAGE, blockMs, seat);
      } catch (next) {
        err = next;
      }
    }
  };

  const finish = (controller: ReadableStreamDefaultController<T>): void => {
    plan.signal?.removeEventListener('abort', onAbort);
    stop.abort();
    controller.close();
  };

  return new ReadableStream<T>(
    {
      async pull(controller) {
        if (!leaseKnown) {
          leaseKnown = true;
          const [[first], [resumePoint]] = await Promise.all([repository.read(plan.topic, ZERO_ID, { count: 1 }), repository.read(plan.topic, previousStreamId(plan.afterId) ?? ZERO_ID, { count: 1 })]);
          const record = first === undefined ? undefined : decodeRecord(first);
          if (record?.kind === 'open') leaseMs = record.leaseMs;
          // Resuming after an entry this reader's predecessor accepted: the number after it comes next.
          const resumed = resumePoint?.id === plan.afterId ? decodeRecord(resumePoint) : undefined;
          if (resumed?.kind === 'open') expected = 0;
          else if (resumed !== undefined && 'seq' in resumed && resumed.seq !== undefined) expected = resumed.seq + 1;
        }
        for (;;) {
          if (stop.signal.aborted) return finish(controller);
          let waitMs = 0;
          if (caughtUp) {
            const remaining = Math.min(writerAt, seenAt) + leaseMs - clock.now();
            if (remaining <= 0) {
              await endForLease(deps, plan.topic);
              return finish(controller);
            }
            waitMs = Math.min(remaining, blocking ? MAX_BLOCK_MS : deps.pollMs);
            if (!blocking) await sleep(clock, waitMs, stop.signal);
          }
          const entries = await read(blocking ? waitMs : 0);
          if (stop.signal.aborted) return finish(controller);
          caughtUp = entries.length < PAGE;
          let delivered = false;
          for (const { id, record } of entries) {
            cursor = id;
            if (record === undefined) continue;
            if ('seq' in record && record.seq !== undefined) {
              if (expected !== undefined && record.seq !== expected) continue;
              expected = record.seq + 1;
            }
            if (isTerminalRecord(record)) return finish(controller);
            writerAt = writerAt === Number.POSITIVE_INFINITY ? record.at : Math.max(writerAt, record.at);
            seenAt = clock.now();
            if (record.kind === 'open') {
              leaseMs = record.leaseMs;
              expected = 0;
            }
            if (record.kind !== 'chunk') continue;
            let text = record.text;
            if (skipLeft > 0) {
              const dropped = Math.min(skipLeft, text.length);
              skipLeft -= dropped;
              text = text.slice(dropped);
            }
            if (text === '') continue;
            controller.enqueue(shape(id, text));
            delivered = true;
          }
          if (delivered) return;
        }
      },
      cancel() {
        plan.signal?.removeEventListener('abort', onAbort);
        stop.abort();
      },
    },
    // One pull ahead: the next read is already waiting when the consumer (often a chain of
    // transform streams) comes back, so it never misses the backend's next read round. Bounded
    // by one page of entries.
    { highWaterMark: 1 },
  );
}

function asChunk(id: string, text: string): ResumableChunk {
  return { id, text };
}

/** Shapes a reader's pieces as bare text (no per-chunk transform stream in between: it costs several promise hops a chunk). */
export function asText(_id: string, text: string): string {
  return text;
}
