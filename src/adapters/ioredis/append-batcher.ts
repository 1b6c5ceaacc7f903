import { AppendManyCall, parseAppendManyReply } from '../shared/append-many-script.js';
import type { AppendReply } from '../shared/append-script.js';
import type { AppendRequest } from '../../ports/stream-repository.js';

/** Appends per multi-append script call. */
export const MAX_APPENDS_PER_CALL = 64;

/** When the appends collected so far leave: after the current microtasks, or after the current event-loop phase. */
export type AppendFlush = 'microtask' | 'immediate';

/** Sends one multi-append call (`append-many.lua`) and resolves with its raw reply. */
export type SendAppendMany = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

interface Waiter {
  resolve(reply: AppendReply): void;
  reject(err: unknown): void;
}

interface PendingCall {
  readonly call: AppendManyCall;
  readonly waiters: Waiter[];
}

/**
 * Collects the appends issued in one tick (with `immediate`, the repository's default: one
 * event-loop turn; with `microtask`: until the current microtasks have run), to any topics of
 * one Redis server, into multi-append script calls of up to `maxAppends` appends each, sent in
 * issue order on one connection.
 * Consecutive appends with the same `maxLen` and `ttlSeconds` share a call; a change starts the
 * next one, so appends to one topic always run in the order they were issued. Each append is
 * serialized when issued. Each promise settles with its own append's reply or error; a failure
 * of the whole call (connection lost, timeout) rejects every append of that call.
 */
export class AppendBatcher {
  readonly #send: SendAppendMany;
  readonly #maxAppends: number;
  readonly #schedule: (flush: () => void) => void;
  #pending: PendingCall[] = [];
  #scheduled = false;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #flush = (): void => this.flush();

  constructor(send: SendAppendMany, options: { readonly maxAppends: number; readonly flush: AppendFlush }) {
    this.#send = send;
    this.#maxAppends = options.maxAppends;
    this.#schedule = options.flush === 'microtask' ? queueMicrotask : (fn) => setImmediate(fn);
  }

  /** Queues `request` (non-empty, already validated) for the next call; `producersKey` is its idempotency hash. */
  append(request: AppendRequest, producersKey: string): Promise<AppendReply> {
    let open = this.#pending[this.#pending.length - 1];
    if (open === undefined || open.call.size >= this.#maxAppends || open.call.maxLen !== request.maxLen || open.call.ttlSeconds !== request.ttlSeconds) {
      open = { call: new AppendManyCall(request.maxLen, request.ttlSeconds), waiters: [] };
      this.#pending.push(open);
    }
    open.call.add(request, producersKey);
    const waiters = open.waiters;
    const promise = new Promise<AppendReply>((resolve, reject) => waiters.push({ resolve, reject }));
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#schedule(this.#flush);
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
    for (const { call, waiters } of pending) {
      const sent = this.#send(call.keys, call.args).then(
        (reply) => settle(waiters, reply),
        (err: unknown) => rejectAll(waiters, err),
      );
      this.#inFlight.add(sent);
      void sent.then(() => this.#inFlight.delete(sent));
    }
  }
}

function rejectAll(waiters: readonly Waiter[], err: unknown): void {
  for (const w of waiters) w.reject(err);
}

function settle(waiters: readonly Waiter[], reply: unknown): void {
  let items: (AppendReply | Error)[];
  try {
    items = parseAppendManyReply(reply);
  } catch (err) {
    return rejectAll(waiters, err);
  }
  waiters.forEach((waiter, i) => {
    const item = items[i];
    if (item === undefined) waiter.reject(new Error(`multi-append reply has ${items.length} items for ${waiters.length} appends`));
    else if (item instanceof Error) waiter.reject(item);
    else waiter.resolve(item);
  });
}
