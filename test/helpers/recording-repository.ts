import type { AppendRequest, AppendResult, StreamEntry, StreamInfo, StreamRepository } from '../../src/ports/stream-repository.js';
import type { StreamId } from '../../src/domain/stream-id.js';
import { compareStreamIds } from '../../src/domain/stream-id.js';
import { TaskStreamError } from '../../src/domain/errors.js';

/** How an injected failure behaves: `before` fails without writing; `after` writes, then fails (an ambiguous failure, like a lost reply). */
export type FailureMode = 'before' | 'after';

interface Gate {
  readonly promise: Promise<void>;
  readonly release: () => void;
}

/**
 * A minimal in-memory {@link StreamRepository} for publisher tests: it records every append
 * request, stores entries per topic with idempotency (producer high-water mark), and can be told
 * to fail the next N appends, fail always, or hold appends until released. It tracks how many
 * appends are in flight per topic so tests can check "never two appends at once".
 */
export class RecordingRepository implements StreamRepository {
  readonly capabilities = { blockingReads: false, atomicBatchAppend: true, idempotentAppend: true, exactlyOneTerminal: false };
  /** Every append call, in call order (including failed ones). */
  readonly requests: AppendRequest[] = [];
  readonly #topics = new Map<string, StreamEntry[]>();
  readonly #highWater = new Map<string, number>();
  #failures: { remaining: number; mode: FailureMode; error: () => unknown } | undefined;
  #gate: Gate | undefined;
  #lastMs = 0;
  #seq = 0;
  #inFlight = new Map<string, number>();
  /** Highest number of concurrent appends seen on one topic. */
  maxConcurrentPerTopic = 0;
  /** Entries skipped as idempotent duplicates, in all. */
  duplicatesSkipped = 0;
  /** Appends that were failed on purpose. */
  failedAppends = 0;

  /** Fails the next `count` appends (Infinity: every append). */
  failNext(count: number, mode: FailureMode = 'before', error: () => unknown = () => new TaskStreamError('BACKEND_UNAVAILABLE', 'injected failure')): void {
    this.#failures = { remaining: count, mode, error };
  }

  /** Holds every append until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    const gate = { promise, release: () => { if (this.#gate === gate) this.#gate = undefined; release(); } };
    this.#gate = gate;
    return gate.release;
  }

  /** The stored entries of a topic. */
  entries(topic: string): readonly StreamEntry[] {
    return this.#topics.get(topic) ?? [];
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    this.requests.push(request);
    const inFlight = (this.#inFlight.get(request.topic) ?? 0) + 1;
    this.#inFlight.set(request.topic, inFlight);
    this.maxConcurrentPerTopic = Math.max(this.maxConcurrentPerTopic, inFlight);
    try {
      await Promise.resolve();
      if (this.#gate !== undefined) await this.#gate.promise;
      const failure = this.#takeFailure();
      if (failure?.mode === 'before') throw failure.error();
      const result = this.#write(request);
      if (failure?.mode === 'after') throw failure.error();
      return result;
    } finally {
      this.#inFlight.set(request.topic, (this.#inFlight.get(request.topic) ?? 1) - 1);
    }
  }

  #takeFailure(): { mode: FailureMode; error: () => unknown } | undefined {
    const f = this.#failures;
    if (f === undefined || f.remaining <= 0) return undefined;
    f.remaining--;
    this.failedAppends++;
    return f;
  }

  #write(request: AppendRequest): AppendResult {
    const stored = this.#topics.get(request.topic) ?? [];
    this.#topics.set(request.topic, stored);
    const key = request.idempotency === undefined ? undefined : `${request.topic}\u0000${request.idempotency.producerId}`;
    let high = key === undefined ? -1 : (this.#highWater.get(key) ?? -1);
    const ids: StreamId[] = [];
    let duplicates = 0;
    request.entries.forEach((fields, i) => {
      const seq = request.idempotency?.seqs[i];
      if (seq !== undefined && seq <= high) {
        duplicates++;
        return;
      }
      if (seq !== undefined) high = seq;
      this.#seq = this.#lastMs === 1 ? this.#seq + 1 : 0;
      this.#lastMs = 1;
      const id = `1-${this.#seq}`;
      stored.push({ id, fields });
      ids.push(id);
    });
    if (key !== undefined) this.#highWater.set(key, high);
    this.duplicatesSkipped += duplicates;
    return { ids, duplicates };
  }

  async read(topic: string, afterId: StreamId): Promise<readonly StreamEntry[]> {
    return this.entries(topic).filter((e) => compareStreamIds(e.id, afterId) > 0);
  }

  async tailId(topic: string): Promise<StreamId> {
    return this.entries(topic).at(-1)?.id ?? '0-0';
  }

  async info(topic: string): Promise<StreamInfo | null> {
    const entries = this.#topics.get(topic);
    if (entries === undefined) return null;
    const last = entries.at(-1)?.id ?? '0-0';
    return { length: entries.length, firstId: entries[0]?.id ?? '0-0', lastId: last, entriesAdded: entries.length, maxDeletedId: '0-0', ttlMs: null };
  }

  async deleteTopic(topic: string): Promise<boolean> {
    return this.#topics.delete(topic);
  }

  async close(): Promise<void> {}
}
