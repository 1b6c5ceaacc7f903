import type { TimerHandle } from '../ports/clock.js';
import { TaskStreamError } from '../domain/errors.js';
import { sleep } from '../domain/sleep.js';
import { ZERO_ID } from '../domain/stream-id.js';
import { decodeRecord, encodeRecord, type EndReason, type StreamRecord } from './entries.js';
import type { MakeStream } from './options.js';
import type { ResumableSettings, StreamTopics } from './settings.js';
import type { StateDeps } from './stream-state.js';

/** What a writer needs. */
export interface WriterDeps extends StateDeps {
  readonly settings: ResumableSettings;
  readonly onError: ((error: TaskStreamError) => void) | undefined;
}

const MAX_ATTEMPTS = 5;
const MAX_BATCH = 256;

/**
 * Runs one stream's source: hands every chunk to the caller's own stream at once, and appends
 * it (in order, one append in flight, retried; every entry carries a sequence number so readers
 * drop the second copy a retry after an ambiguous failure may leave) for every other reader. The
 * sliding TTL is renewed at most every quarter TTL (and by the final `end`), not by every append. While the
 * stream lives, one wait serves both the stop watch and the heartbeat: a blocking read on the
 * stream's control topic that times out when a heartbeat is due. Coalescing holds a timer only
 * while a chunk waits in the buffer.
 */
export class StreamWriter {
  readonly #deps: WriterDeps;
  readonly #topics: StreamTopics;
  readonly #abort = new AbortController();
  readonly #watchStop = new AbortController();
  #seq = 0;
  #pending: string[] = [];
  #pendingChars = 0;
  #due = false;
  #sentAny = false;
  #timer: TimerHandle | undefined;
  #inFlight: Promise<void> | null = null;
  #broken = false;
  #stopped = false;
  #lastAppendAt: number;
  #ttlRenewedAt: number;
  /** Settles (never rejects) once the source ended and everything, with the `end` entry, is appended. */
  finished: Promise<void> = Promise.resolve();

  constructor(deps: WriterDeps, topics: StreamTopics, openedAt: number) {
    this.#deps = deps;
    this.#topics = topics;
    this.#lastAppendAt = openedAt;
    this.#ttlRenewedAt = openedAt;
  }

  /** Starts reading `makeStream`'s source; returns the caller's own copy of it. */
  start(makeStream: MakeStream): ReadableStream<string> {
    let local!: ReadableStreamDefaultController<string>;
    let localOpen = true;
    const stream = new ReadableStream<string>({
      start: (controller) => {
        local = controller;
      },
      cancel: () => {
        // The source is still read to the end, for the other readers (as resumable-stream does).
        localOpen = false;
      },
    });
    const toLocal = (action: () => void): void => {
      if (!localOpen) return;
      try {
        action();
      } catch {
        localOpen = false;
      }
    };
    const watching = this.#watch();
    this.finished = this.#run(makeStream, (chunk) => toLocal(() => local.enqueue(chunk)), (error) => {
      toLocal(() => (error === undefined ? local.close() : local.error(error)));
      localOpen = false;
    }).finally(async () => {
      this.#watchStop.abort();
      await watching;
    });
    return stream;
  }

  async #run(makeStream: MakeStream, emit: (chunk: string) => void, endLocal: (error?: unknown) => void): Promise<void> {
    let failure: unknown;
    try {
      const source = makeStream({ signal: this.#abort.signal }).getReader();
      this.#abort.signal.addEventListener('abort', () => void source.cancel(this.#abort.signal.reason).catch(() => undefined), { once: true });
      for (;;) {
        const { done, value } = await source.read();
        if (done) break;
        if (typeof value !== 'string') {
          throw new TaskStreamError('INVALID_ARGUMENT', `makeStream must produce strings, got ${value === null ? 'null' : typeof value}`, { details: { topic: this.#topics.data } });
        }
        if (value === '') continue;
        emit(value);
        this.#add(value);
      }
    } catch (err) {
      if (!this.#stopped) failure = err;
    }
    endLocal(this.#stopped ? undefined : failure);
    if (failure !== undefined) this.#abort.abort(failure);
    const reason: EndReason = this.#stopped ? 'stopped' : failure !== undefined ? 'error' : 'done';
    await this.#drain();
    await this.#appendRecords([{ kind: 'end', at: this.#deps.clock.now(), reason }]);
  }

  #add(text: string): void {
    this.#pending.push(text);
    this.#pendingChars += text.length;
    const { batching, maxBufferedChars, flushIntervalMs } = this.#deps.settings;
    if (batching === 'per_chunk' || !this.#sentAny || this.#pendingChars >= maxBufferedChars) this.#due = true;
    else if (this.#timer === undefined && !this.#due) {
      this.#timer = this.#deps.clock.setTimeout(() => {
        this.#timer = undefined;
        this.#due = true;
        this.#pump();
      }, flushIntervalMs);
    }
    this.#pump();
  }

  /** Starts the next append when one is due and none is in flight. */
  #pump(): void {
    if (this.#inFlight !== null || this.#pending.length === 0 || !this.#due || this.#broken) return;
    const perChunk = this.#deps.settings.batching === 'per_chunk';
    const taken = perChunk ? this.#pending.splice(0, MAX_BATCH) : this.#pending.splice(0);
    this.#pendingChars = this.#pending.reduce((n, t) => n + t.length, 0);
    if (!perChunk) this.#due = false;
    if (this.#timer !== undefined) {
      this.#deps.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#sentAny = true;
    const at = this.#deps.clock.now();
    const records: StreamRecord[] = perChunk ? taken.map((text) => ({ kind: 'chunk', at, text })) : [{ kind: 'chunk', at, text: taken.join('') }];
    this.#inFlight = this.#appendRecords(records).finally(() => {
      this.#inFlight = null;
      this.#pump();
    });
  }

  async #drain(): Promise<void> {
    this.#due = true;
    while (this.#inFlight !== null || (this.#pending.length > 0 && !this.#broken)) {
      this.#pump();
      await this.#inFlight;
    }
  }

  /** Appends in order, numbering each entry; a retry re-sends the same numbers, so readers can drop a second copy. */
  async #appendRecords(records: readonly StreamRecord[]): Promise<void> {
    if (this.#broken) return;
    const { repository, clock, settings } = this.#deps;
    const entries = records.map((record) => encodeRecord({ ...record, seq: this.#seq++ } as StreamRecord));
    const final = records.some((record) => record.kind === 'end');
    const renew = settings.ttlSeconds > 0 && (final || clock.now() - this.#ttlRenewedAt >= (settings.ttlSeconds * 1000) / 4);
    const request = { topic: this.#topics.data, entries, maxLen: settings.maxLen, ttlSeconds: renew ? settings.ttlSeconds : 0 };
    for (let attempt = 1; ; attempt++) {
      try {
        await repository.append(request);
        this.#lastAppendAt = clock.now();
        if (renew) this.#ttlRenewedAt = this.#lastAppendAt;
        return;
      } catch (err) {
        const retriable = TaskStreamError.is(err, 'BACKEND_UNAVAILABLE') && attempt < MAX_ATTEMPTS;
        if (!retriable) return this.#fail(err);
        await sleep(clock, Math.min(50 * 2 ** (attempt - 1), 2_000));
      }
    }
  }

  #fail(err: unknown): void {
    this.#broken = true;
    const error = new TaskStreamError('PUBLISH_FAILED', `resumable stream ${this.#topics.data}: append failed for good; readers elsewhere will see the stream end when the writer lease expires`, {
      cause: err,
      details: { topic: this.#topics.data },
    });
    this.#deps.logger.error('taskstream/resumable-stream: append failed', { topic: this.#topics.data, error: err instanceof Error ? err.message : String(err) });
    try {
      this.#deps.onError?.(error);
    } catch {
      // A throwing callback must not stop the source from being read.
    }
  }

  /** Watches the control topic for a stop request; its read times out when a heartbeat is due. */
  async #watch(): Promise<void> {
    const { repository, clock, settings } = this.#deps;
    const signal = this.#watchStop.signal;
    const blocking = repository.capabilities.blockingReads;
    let cursor = ZERO_ID;
    while (!signal.aborted) {
      const waitMs = Math.max(1, this.#lastAppendAt + settings.heartbeatMs - clock.now());
      try {
        // Without blocking reads (Upstash REST) each check is a request: look for a stop at most once a second.
        if (!blocking) await sleep(clock, Math.min(waitMs, Math.max(settings.pollMs, 1_000)), signal);
        if (signal.aborted) return;
        const entries = await repository.read(this.#topics.control, cursor, blocking ? { count: 16, blockMs: waitMs, signal } : { count: 16, signal });
        if (signal.aborted) return;
        for (const entry of entries) {
          cursor = entry.id;
          if (decodeRecord(entry)?.kind === 'stop') return this.#stop();
        }
      } catch (err) {
        // A closed backend (the process is shutting down) never comes back: stop watching.
        if (signal.aborted || TaskStreamError.is(err, 'CLOSED')) return;
        this.#deps.logger.warn('taskstream/resumable-stream: stop watch read failed; retrying', { topic: this.#topics.control, error: err instanceof Error ? err.message : String(err) });
        await sleep(clock, Math.min(settings.heartbeatMs, 1_000), signal);
      }
      if (clock.now() - this.#lastAppendAt >= settings.heartbeatMs && this.#inFlight === null && !this.#broken) {
        this.#inFlight = this.#appendRecords([{ kind: 'beat', at: clock.now() }]).finally(() => {
          this.#inFlight = null;
          this.#pump();
        });
      }
    }
  }

  #stop(): void {
    this.#stopped = true;
    this.#abort.abort(new TaskStreamError('ABORTED', `resumable stream ${this.#topics.data} was stopped`));
  }
}
