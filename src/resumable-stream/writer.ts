import type { TimerHandle } from '../ports/clock.js';
import { TaskStreamError } from '../domain/errors.js';
import { sleep } from '../domain/sleep.js';
import { ZERO_ID } from '../domain/stream-id.js';
import { decodeRecord, type EndReason } from './entries.js';
import { OrderedAppender, type SequencedRecord } from './ordered-appender.js';
import type { MakeStream } from './options.js';
import type { ResumableSettings, StreamTopics } from './settings.js';
import type { StateDeps } from './stream-state.js';

/** What a writer needs. */
export interface WriterDeps extends StateDeps {
  readonly settings: ResumableSettings;
  readonly onError: ((error: TaskStreamError) => void) | undefined;
}

const MAX_BATCH = 256;

/**
 * Runs one stream's source: hands every chunk to the caller's own stream at once, and appends
 * it for every other reader (in order, several appends in flight, failures repaired: see
 * {@link OrderedAppender}). The sliding TTL is renewed at most every quarter TTL (and by the
 * final `end`), not by every append. While the
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
  readonly #appender: OrderedAppender;
  #stopped = false;
  /** Settles (never rejects) once the source ended and everything, with the `end` entry, is appended. */
  finished: Promise<void> = Promise.resolve();

  constructor(deps: WriterDeps, topics: StreamTopics, openedAt: number) {
    this.#deps = deps;
    this.#topics = topics;
    const { repository, clock, settings } = deps;
    this.#appender = new OrderedAppender(
      { repository, clock, topic: topics.data, maxLen: settings.maxLen, ttlSeconds: settings.ttlSeconds, onReady: () => this.#pump(), onBroken: (cause) => this.#fail(cause) },
      openedAt,
    );
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
    this.#appender.send([{ kind: 'end', at: this.#deps.clock.now(), reason }]);
    await this.#appender.whenIdle();
  }

  #add(text: string): void {
    if (this.#appender.broken) return;
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

  /** Sends what is due while the appender has room (per_chunk: each chunk leaves at once, up to its window). */
  #pump(): void {
    if (this.#pending.length === 0 || !this.#due || !this.#appender.ready) return;
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
    const records: SequencedRecord[] = perChunk ? taken.map((text) => ({ kind: 'chunk', at, text })) : [{ kind: 'chunk', at, text: taken.join('') }];
    this.#appender.send(records);
    // More may wait behind a full batch.
    if (this.#pending.length > 0) this.#pump();
  }

  /** Sends everything buffered and waits until it landed (or appends failed for good). */
  async #drain(): Promise<void> {
    this.#due = true;
    for (;;) {
      this.#pump();
      if (this.#pending.length === 0 || this.#appender.broken) break;
      await this.#appender.whenIdle();
    }
    await this.#appender.whenIdle();
  }

  #fail(err: unknown): void {
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
      const waitMs = Math.max(1, this.#appender.lastLandedAt + settings.heartbeatMs - clock.now());
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
      if (clock.now() - this.#appender.lastLandedAt >= settings.heartbeatMs && this.#appender.idle && this.#pending.length === 0) {
        this.#appender.send([{ kind: 'beat', at: clock.now() }]);
      }
    }
  }

  #stop(): void {
    this.#stopped = true;
    this.#abort.abort(new TaskStreamError('ABORTED', `resumable stream ${this.#topics.data} was stopped`));
  }
}
