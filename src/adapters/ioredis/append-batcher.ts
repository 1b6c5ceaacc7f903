import { AppendManyCall, parseAppendManyReply } from '../shared/append-many-script.js';
import type { AppendRequest, AppendResult } from '../../ports/stream-repository.js';

/** Appends per multi-append script call. */
export const MAX_APPENDS_PER_CALL = 64;

/**
 * When the appends collected so far leave: after the current microtasks; after the current
 * event-loop phase; or `adaptive` (the repository's default): after the current microtasks while
 * no call is waiting for its reply (nothing to share a call with: the append leaves at once),
 * else after the phase, so that under load the appends of a whole turn share calls.
 */
export type AppendFlush = 'microtask' | 'immediate' | 'adaptive';

/** Sends one multi-append call (`append-many.lua`) and resolves with its raw reply. */
export type SendAppendMany = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/** Options of an {@link AppendBatcher}. */
export interface AppendBatcherOptions {
  readonly maxAppends: number;
  readonly flush: AppendFlush;
  /** What an append rejects with, given what failed (the whole call, or its own reply). */
  readonly mapError: (err: unknown) => unknown;
  /** Called for an append whose entries were written but whose TTL renewal failed. */
  readonly onTtlFailed: (topic: string, ttlSeconds: number) => void;
}

interface Waiter {
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

interface PendingCall {
  readonly call: AppendManyCall;
  readonly waiters: Waiter[];
}

/**
 * Collects the appends issued in one tick (see {@link AppendFlush}), to any topics of
 * one Redis server, into multi-append script calls of up to `maxAppends` appends each, sent in
 * issue order on one connection.
 * Consecutive appends with the same `maxLen` and `ttlSeconds` share a call; a change starts the
 * next one, so appends to one topic always run in the order they were issued. Each append is
 * serialized when issued. Each promise settles with its own append's reply or error; a failure
 * of the whole call (connection lost, timeout) rejects every append of that call.
 */
export class AppendBatcher {
  readonly #send: SendAppendMany;
  readonly #options: AppendBatcherOptions;
  readonly #maxAppends: number;
  readonly #flushMode: AppendFlush;
  #pending: PendingCall[] = [];
  #scheduled = false;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #flush = (): void => this.flush();

  constructor(send: SendAppendMany, options: AppendBatcherOptions) {
    this.#send = send;
    this.#options = options;
    this.#maxAppends = options.maxAppends;
    this.#flushMode = options.flush;
  }

  /**
   * Queues `request` (non-empty, already validated) for the next call; `producersKey` is its
   * idempotency hash. The promise is the append's whole result (errors mapped by `mapError`): the
   * repository returns it as is, one promise per append.
   */
  append(request: AppendRequest, producersKey: string): Promise<AppendResult> {
    let open = this.#pending[this.#pending.length - 1];
    if (open === undefined || open.call.size >= this.#maxAppends || open.call.maxLen !== request.maxLen || open.call.ttlSeconds !== request.ttlSeconds) {
      open = { call: new AppendManyCall(request.maxLen, request.ttlSeconds), waiters: [] };
      this.#pending.push(open);
    }
    open.call.add(request, producersKey);
    const waiters = open.waiters;
    const promise = new Promise<AppendResult>((resolve, reject) => waiters.push({ resolve, reject }));
    if (!this.#scheduled) {
      this.#scheduled = true;
      const mode = this.#flushMode;
      if (mode === 'microtask' || (mode === 'adaptive' && this.#inFlight.size === 0)) queueMicrotask(this.#flush);
      else setImmediate(this.#flush);
    }
    return promise;
  }

  /** Sends everything queued now; resolves once every call sent so far has settled (before the connection closes). */
  drain(): Promise<void> {
    this.flush();
    return Promise.all(this.#inFlight).then(() => undefined);
  }

  /** Sends everything queued now. */
  flush(): void {
    const pending = this.#pending;
    this.#pending = [];
    this.#scheduled = false;
    const options = this.#options;
    for (const { call, waiters } of pending) {
      const sent = this.#send(call.keys, call.args).then(
        (reply) => settle(call, waiters, reply, options),
        (err: unknown) => rejectAll(waiters, options.mapError(err)),
      );
      this.#inFlight.add(sent);
      void sent.then(() => this.#inFlight.delete(sent));
    }
  }
}

function rejectAll(waiters: readonly Waiter[], err: unknown): void {
  for (const w of waiters) w.reject(err);
}

function settle(call: AppendManyCall, waiters: readonly Waiter[], reply: unknown, options: AppendBatcherOptions): void {
  let items: ReturnType<typeof parseAppendManyReply>;
  try {
    items = parseAppendManyReply(reply);
  } catch (err) {
    return rejectAll(waiters, options.mapError(err));
  }
  for (let i = 0; i < waiters.length; i++) {
    const waiter = waiters[i]!;
    const item = items[i];
    if (item === undefined) waiter.reject(options.mapError(new Error(`multi-append reply has ${items.length} items for ${waiters.length} appends`)));
    else if (item instanceof Error) waiter.reject(options.mapError(item));
    else {
      // the call's keys are topic, producers hash, per append
      if (item.ttlFailed) options.onTtlFailed(call.keys[2 * i]!, call.ttlSeconds);
      waiter.resolve({ ids: item.ids, duplicates: item.duplicates });
    }
  }
}
