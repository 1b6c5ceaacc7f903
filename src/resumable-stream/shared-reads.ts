import type { Clock } from '../ports/clock.js';
import type { StreamEntry, StreamRepository } from '../ports/stream-repository.js';
import type { StreamId } from '../domain/stream-id.js';
import { decodeRecord, type StreamRecord } from './entries.js';

/** An entry as readers use it: its id and what it holds (`undefined`: not written by this module). */
export interface ReadEntry {
  readonly id: StreamId;
  readonly record: StreamRecord | undefined;
}

/** One reader's place in shared reads; its signal (one listener for the reader's life) leaves the read it waits on. */
export class ReadSeat {
  readonly signal: AbortSignal;
  /** The shared read this seat waits on, if any. */
  waiting: Waiting | undefined;

  constructor(signal: AbortSignal) {
    this.signal = signal;
    signal.addEventListener('abort', () => this.waiting?.leave(), { once: true });
  }
}

/** One reader waiting on a shared read (a class: its `leave` is on the prototype, not a closure per read). */
class Waiting {
  left = false;
  constructor(
    readonly shared: Shared,
    readonly resolve: (entries: readonly ReadEntry[]) => void,
    readonly reject: (err: unknown) => void,
    readonly onEmpty: (shared: Shared) => void,
  ) {}

  /** Leaves with nothing; the backend read is aborted when its last reader left. */
  leave(): void {
    if (this.left) return;
    this.left = true;
    this.resolve([]);
    if (--this.shared.present === 0) this.onEmpty(this.shared);
  }
}

/** One backend read that several readers of a topic wait on. */
interface Shared {
  readonly key: string;
  readonly deadline: number;
  readonly stop: AbortController;
  readonly waiting: Waiting[];
  present: number;
}

/**
 * Readers of one stream in one process are usually at the same entry (all caught up, waiting for
 * the next one). Their blocking reads after that entry become one backend read, decoded once,
 * whose entries they all get: the backend (on ioredis, the shared multiplexed reader) serves one
 * waiter per stream instead of one per reader. A reader joins only a read that ends no later
 * than it asked (so a reader timing a writer lease is never held past it); the backend read is
 * aborted when the last of its readers left. Non-blocking reads (catching up) are not shared.
 */
export class SharedReads {
  readonly #repository: StreamRepository;
  readonly #clock: Clock;
  readonly #reads = new Map<string, Shared>();

  constructor(repository: StreamRepository, clock: Clock) {
    this.#repository = repository;
    this.#clock = clock;
  }

  read(topic: string, afterId: StreamId, count: number, blockMs: number, seat: ReadSeat): Promise<readonly ReadEntry[]> {
    if (seat.signal.aborted) return Promise.resolve([]);
    if (blockMs <= 0) return this.#repository.read(topic, afterId, { count, signal: seat.signal }).then(decodeAll);
    const key = `${count} ${afterId} ${topic}`;
    const deadline = this.#clock.now() + blockMs;
    let shared = this.#reads.get(key);
    if (shared !== undefined && shared.deadline > deadline) {
      return this.#repository.read(topic, afterId, { count, blockMs, signal: seat.signal }).then(decodeAll);
    }
    shared ??= this.#start(key, topic, afterId, count, blockMs, deadline);
    return this.#join(shared, seat);
  }

  #start(key: string, topic: string, afterId: StreamId, count: number, blockMs: number, deadline: number): Shared {
    const stop = new AbortController();
    const shared: Shared = { key, deadline, stop, waiting: [], present: 0 };
    this.#reads.set(key, shared);
    this.#repository.read(topic, afterId, { count, blockMs, signal: stop.signal }).then(
      (entries) => {
        this.#forget(shared);
        const decoded = decodeAll(entries);
        for (const w of shared.waiting) settle(w, () => w.resolve(decoded));
      },
      (err: unknown) => {
        this.#forget(shared);
        for (const w of shared.waiting) settle(w, () => w.reject(err));
      },
    );
    return shared;
  }

  #join(shared: Shared, seat: ReadSeat): Promise<readonly ReadEntry[]> {
    return new Promise((resolve, reject) => {
      const waiting = new Waiting(shared, resolve, reject, this.#abandon);
      shared.waiting.push(waiting);
      shared.present++;
      seat.waiting = waiting;
    });
  }

  readonly #abandon = (shared: Shared): void => {
    this.#forget(shared);
    shared.stop.abort();
  };

  #forget(shared: Shared): void {
    if (this.#reads.get(shared.key) === shared) this.#reads.delete(shared.key);
  }
}

function settle(waiting: Waiting, action: () => void): void {
  if (waiting.left) return;
  waiting.left = true;
  action();
}

function decodeAll(entries: readonly StreamEntry[]): readonly ReadEntry[] {
  return entries.map((entry) => ({ id: entry.id, record: decodeRecord(entry) }));
}

const byRepository = new WeakMap<StreamRepository, SharedReads>();

/** The process's shared reads of `repository` (one per repository, so contexts made per request share them). */
export function sharedReadsOf(repository: StreamRepository, clock: Clock): SharedReads {
  let shared = byRepository.get(repository);
  if (shared === undefined) {
    shared = new SharedReads(repository, clock);
    byRepository.set(repository, shared);
  }
  return shared;
}
