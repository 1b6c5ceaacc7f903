import { TaskStreamError } from '../errors.js';
import type { DeltaEvent, DoneEvent, ExtraFields, FullEvent, MessageContent, MessageDelta, StartEvent } from '../events.js';
import { CoalescingBuffer } from './coalescing-buffer.js';
import { validateContent, validateDelta, validateFields } from '../codec/validate-event.js';
import { PublishQueue, type QueuedEntry } from './publish-queue.js';
import type { PublishingDeps } from './publishing-deps.js';

/** Where a message is in its life: `open` takes deltas; after `full` only `done`/`close`; `done` is final. */
export type MessageState = 'open' | 'full' | 'done';

/**
 * One message being published. Deltas are buffered (see {@link CoalescingBuffer}) and appended in
 * order, at most one append in flight; `full` and `done` first drain the buffer, so every delta
 * precedes them. Exactly one `done` is published, always last: the caller's, or an empty one
 * synthesized by {@link MessageContext.close}. Use with `await using` to close on scope exit.
 */
export interface MessageContext extends AsyncDisposable {
  readonly taskId: string;
  /** The message's index in the task. */
  readonly index: number;
  /** The idempotency producer id of this message's appends. */
  readonly producerId: string;
  readonly state: MessageState;
  /**
   * Buffers one delta; never waits on the backend. Throws `AFTER_TERMINAL` after `full`/`done`,
   * `CLOSED` after `close()` (or an aborted signal), `INVALID_ARGUMENT` for a malformed delta.
   */
  delta(delta: MessageDelta): void;
  /**
   * Drains the buffered deltas, then publishes the whole content; resolves once appended.
   * Only `done`/`close` may follow. Rejects `AFTER_TERMINAL`/`CLOSED` when too late, `PUBLISH_FAILED` when the backend failed.
   */
  full(content: MessageContent): Promise<void>;
  /**
   * Drains, then publishes the terminal `done` carrying `fields`; resolves once every entry of the message is appended.
   * Rejects `AFTER_TERMINAL` when the store already holds a `done` for this message from another
   * producer (another publisher or process opened the same index): nothing of this context is
   * written after that `done`.
   */
  done(fields?: ExtraFields): Promise<void>;
  /**
   * Drains and ends the message, synthesizing an empty `done` unless `done()` was called.
   * Idempotent: every call returns the same promise. Rejects `PUBLISH_FAILED` when the backend failed.
   */
  close(): Promise<void>;
  /** Sends what is buffered now and resolves when everything sent so far is appended (backpressure for fast producers). */
  flush(): Promise<void>;
  /** Deltas buffered plus entries not yet appended. */
  readonly pendingEntries: number;
}

/** What a {@link MessageContextImpl} needs; built by the publisher. */
export interface MessageContextDeps extends PublishingDeps {
  readonly taskId: string;
  readonly topic: string;
  readonly index: number;
  readonly producerId: string;
  readonly parentTaskMessage?: ExtraFields | null;
  readonly maxPendingEntries: number;
  /** Called once when the message's terminal has settled (either way). */
  readonly onSettled: () => void;
}

type EventBody = Omit<StartEvent, 'index' | 'seq'> | Omit<DeltaEvent, 'index' | 'seq'> | Omit<FullEvent, 'index' | 'seq'> | Omit<DoneEvent, 'index' | 'seq'>;

/** The {@link MessageContext} implementation. */
export class MessageContextImpl implements MessageContext {
  readonly taskId: string;
  readonly index: number;
  readonly producerId: string;
  readonly #deps: MessageContextDeps;
  readonly #buffer: CoalescingBuffer;
  readonly #queue: PublishQueue;
  #state: MessageState = 'open';
  #closed = false;
  #nextSeq = 0;
  #terminal: Promise<void> | undefined;
  #closePromise: Promise<void> | undefined;
  #detachSignal: (() => void) | undefined;

  constructor(deps: MessageContextDeps, start?: MessageContent, signal?: AbortSignal) {
    this.#deps = deps;
    this.taskId = deps.taskId;
    this.index = deps.index;
    this.producerId = deps.producerId;
    const { settings } = deps;
    this.#queue = new PublishQueue({
      repository: deps.repository,
      clock: deps.clock,
      logger: deps.logger,
      topic: deps.topic,
      producerId: deps.producerId,
      messageKey: String(deps.index),
      maxLen: settings.maxLen,
      ttlSeconds: settings.ttlSeconds,
      retry: deps.retry,
      maxBatch: settings.coalesce === 'off' ? 1 : deps.maxBatchEntries,
      onIdle: () => this.#feed(),
      onFailure: (error) => deps.onError(error),
    });
    this.#buffer = new CoalescingBuffer({
      mode: settings.coalesce,
      clock: deps.clock,
      flushIntervalMs: settings.flushIntervalMs,
      maxBufferedChars: settings.maxBufferedChars,
      maxEntryBytes: settings.maxEntryBytes,
      maxPendingEntries: deps.maxPendingEntries,
      onReady: () => this.#feed(),
    });
    if (start !== undefined) validateContent(start, 'start');
    if (start !== undefined) this.#push(this.#encodeNext({ type: 'start', content: start }));
    if (signal !== undefined) {
      const onAbort = (): void => {
        this.close().catch(() => undefined);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
  }

  get state(): MessageState {
    return this.#state;
  }

  get pendingEntries(): number {
    return this.#buffer.size + this.#queue.pendingCount;
  }

  delta(delta: MessageDelta): void {
    this.#assertCanSend('delta');
    validateDelta(delta);
    this.#buffer.add(delta);
  }

  async full(content: MessageContent): Promise<void> {
    this.#assertCanSend('full');
    validateContent(content);
    const entry = this.#encodeNext({ type: 'full', content });
    this.#state = 'full';
    this.#seal();
    this.#push(entry);
    return this.#queue.waitFor(entry.seq);
  }

  async done(fields: ExtraFields = {}): Promise<void> {
    if (this.#closed) throw this.#closedError('done');
    if (this.#state === 'done') throw this.#afterTerminal('done');
    validateFields(fields);
    return this.#finish(this.#encodeNext({ type: 'done', fields: this.#withoutOwnIndex(fields) }));
  }

  close(): Promise<void> {
    if (this.#closePromise === undefined) {
      this.#closed = true;
      try {
        this.#closePromise = this.#terminal ?? this.#finish(this.#encodeNext({ type: 'done', fields: {} }));
      } catch (err) {
        this.#closePromise = Promise.reject(err);
      }
    }
    return this.#closePromise;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async flush(): Promise<void> {
    this.#seal();
    return this.#queue.waitFor(this.#nextSeq - 1);
  }

  /**
   * Callers often pass the message's own `index` to `done()`, as agentex's Done carries it. It is
   * the top-level `index` on the wire already, so it is accepted when it matches and dropped from
   * the extra fields; a different index is a caller bug.
   */
  #withoutOwnIndex(fields: ExtraFields): ExtraFields {
    if (!Object.hasOwn(fields, 'index')) return fields; // an object: done() validated it
    const { index, ...rest } = fields;
    if (index !== this.index) {
      throw new TaskStreamError('INVALID_ARGUMENT', `done() fields carry index ${JSON.stringify(index)} but this message's index is ${this.index}`, {
        details: { taskId: this.taskId, index: this.index, fieldsIndex: index },
      });
    }
    return rest;
  }

  #finish(entry: QueuedEntry): Promise<void> {
    this.#state = 'done';
    this.#detachSignal?.();
    this.#seal();
    this.#push({ ...entry, terminal: true });
    const terminal = this.#queue.waitFor(entry.seq);
    this.#terminal = terminal;
    terminal.then(this.#deps.onSettled, this.#deps.onSettled);
    return terminal;
  }

  #assertCanSend(what: string): void {
    if (this.#closed) throw this.#closedError(what);
    if (this.#state !== 'open') throw this.#afterTerminal(what);
  }

  #afterTerminal(what: string): TaskStreamError {
    return new TaskStreamError('AFTER_TERMINAL', `${what}() after the message's ${this.#state} (task ${this.taskId}, index ${this.index})`, {
      details: { taskId: this.taskId, index: this.index, state: this.#state },
    });
  }

  #closedError(what: string): TaskStreamError {
    return new TaskStreamError('CLOSED', `${what}() on a closed message context (task ${this.taskId}, index ${this.index})`, {
      details: { taskId: this.taskId, index: this.index },
    });
  }

  /** Hands the buffered deltas to the queue when both are ready (the queue calls back when it frees up). */
  #feed(): void {
    if (this.#buffer.ready && this.#queue.idle) this.#seal();
  }

  #seal(): void {
    const runs = this.#buffer.take();
    if (runs.length === 0) return;
    const first = this.#nextSeq;
    this.#nextSeq += runs.length;
    try {
      const entries = new Array<QueuedEntry>(runs.length);
      for (let i = 0; i < runs.length; i++) entries[i] = this.#encode({ type: 'delta', delta: runs[i]! }, first + i);
      this.#queue.enqueue(entries);
    } catch (err) {
      this.#queue.fail(
        new TaskStreamError('PUBLISH_FAILED', `could not encode a delta: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
          details: { taskId: this.taskId, index: this.index },
        }),
      );
    }
  }

  /**
   * Encodes the event that comes after everything buffered now (the buffer seals into
   * `buffer.size` entries first). Throws the codec's error (for example `INVALID_ARGUMENT` for
   * reserved `done` field keys) before anything changes, so a rejected call publishes nothing.
   */
  #encodeNext(body: EventBody): QueuedEntry {
    return this.#encode(body, this.#nextSeq + this.#buffer.size);
  }

  #encode(body: EventBody, seq: number): QueuedEntry {
    const { parentTaskMessage } = this.#deps;
    // Every caller passes a fresh literal, so it is completed in place: this runs once per delta.
    const event = body as { index?: number; seq?: number; parentTaskMessage?: unknown };
    event.index = this.index;
    event.seq = seq;
    if (parentTaskMessage !== undefined) event.parentTaskMessage = parentTaskMessage;
    return { seq, fields: this.#deps.codec.encode(event as StartEvent | DeltaEvent | FullEvent | DoneEvent, this.taskId) };
  }

  /** Queues an entry from {@link #encodeNext}, after the buffer has been sealed. */
  #push(entry: QueuedEntry): void {
    if (entry.seq !== this.#nextSeq) throw new TaskStreamError('INVALID_ARGUMENT', `internal: sequence ${entry.seq} out of order (expected ${this.#nextSeq})`);
    this.#nextSeq++;
    this.#queue.enqueue([entry]);
  }
}
