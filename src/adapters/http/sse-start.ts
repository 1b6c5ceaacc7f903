import { TaskStreamError } from '../../domain/errors.js';
import { backoffDelay as sharedBackoffDelay, isRetryable } from '../../domain/retry.js';
import type { Clock } from '../../ports/clock.js';
import type { ResolvedSseOptions } from './sse-options.js';
import type { SseSource, SseStart, SseSubscription } from './sse-source.js';

/** An opened subscription with its start fixed, or why it could not be. */
export type Opened =
  | { readonly ok: true; readonly subscription: SseSubscription; readonly start: SseStart; readonly stop: () => void }
  | { readonly ok: false; readonly error: unknown; readonly timedOut: boolean };

/** Where (re)opening starts: the client's resume point, then the last id sent. */
export interface OpenRequest {
  readonly source: SseSource;
  readonly taskId: string;
  readonly lastEventId: string | undefined;
  /** Ends the subscription when the client leaves. */
  readonly signal: AbortSignal;
}

/**
 * Opens one subscription and waits for its start, for at most `connectTimeoutMs` of clock time
 * (a backend that never answers, say ioredis queueing commands while it reconnects, gives up
 * there instead of minutes later). Never rejects; a timed-out or failed attempt is stopped.
 */
export async function openWithin(request: OpenRequest, options: ResolvedSseOptions, timeoutMs = options.connectTimeoutMs): Promise<Opened> {
  const attempt = new AbortController();
  const stop = (): void => attempt.abort();
  if (request.signal.aborted) stop();
  else request.signal.addEventListener('abort', stop, { once: true });
  const fail = (error: unknown, timedOut: boolean): Opened => {
    stop();
    request.signal.removeEventListener('abort', stop);
    return { ok: false, error, timedOut };
  };
  let subscription: SseSubscription;
  try {
    subscription = request.source.open({
      taskId: request.taskId,
      ...(request.lastEventId !== undefined ? { lastEventId: request.lastEventId } : {}),
      from: options.from,
      untilTerminal: options.endOnTerminal,
      signal: attempt.signal,
    });
  } catch (error) {
    return fail(error, false);
  }
  const outcome = await within(options.clock, timeoutMs, subscription.ready);
  if (outcome.kind === 'timeout') {
    const error = new TaskStreamError('BACKEND_UNAVAILABLE', `the start of the stream was not fixed within ${timeoutMs} ms`);
    return fail(error, true);
  }
  if (outcome.kind === 'error') return fail(outcome.error, false);
  return {
    ok: true,
    subscription,
    start: outcome.value,
    stop: () => {
      stop();
      request.signal.removeEventListener('abort', stop);
    },
  };
}

type Outcome<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/** `promise`, or `timeout` after `ms` of clock time; leaves no timer behind. */
export function within<T>(clock: Clock, ms: number, promise: Promise<T>): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve({ kind: 'timeout' }), ms);
    promise.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve({ kind: 'value', value });
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        resolve({ kind: 'error', error });
      },
    );
  });
}

/** True for a failure that ends the stream (one terminal `error` event) instead of a retry: one the shared {@link isRetryable} refuses. */
export function isFinal(err: unknown): boolean {
  return !isRetryable(err);
}

/** The wait before retry number `failures` (1-based): `errorBackoffMs` doubling, capped at `maxErrorBackoffMs` (the shared {@link sharedBackoffDelay}). */
export function backoffDelay(failures: number, options: ResolvedSseOptions): number {
  return sharedBackoffDelay({ initialMs: options.errorBackoffMs, maxMs: options.maxErrorBackoffMs, factor: 2, jitter: 'none' }, failures);
}
