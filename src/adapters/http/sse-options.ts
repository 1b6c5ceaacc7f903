import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { systemClock } from '../clock/system-clock.js';
import { consoleLogger } from '../logger/console-logger.js';
import { TaskStreamError } from '../../domain/errors.js';
import { requireNonNegativeInteger } from '../../domain/validation.js';

/**
 * What {@link SseOptions.authorize} decides: `true` lets the request through; `false` or `403`
 * answers 403 Forbidden; `401` answers 401 Unauthorized; a `Response` is sent as is (for
 * example a 401 with a `WWW-Authenticate` header). Anything but `true` sends no stream byte.
 */
export type AuthorizeDecision = boolean | 401 | 403 | Response;

/**
 * Where a subscriber with no resume point starts.
 * - `start`: the whole retained history, then live events. What a page showing an agent's
 *   answer wants: opened late (or after the task ended) it still shows everything.
 * - `tail`: only events written after the connection (the tail id snapshot, never `$`).
 */
export type SseStartPosition = 'tail' | 'start';

/** Options of the SSE handler. */
export interface SseOptions {
  /** Runs before any byte is sent; see {@link AuthorizeDecision}. @default allow every request */
  readonly authorize?: (request: Request, taskId: string) => AuthorizeDecision | Promise<AuthorizeDecision>;
  /** Where a client with no `Last-Event-ID` starts. @default "start" */
  readonly from?: SseStartPosition;
  /** Ends the response after a `task_updated` with a terminal status (an `end` event is sent first). @default true */
  readonly endOnTerminal?: boolean;
  /** Milliseconds between keep-alive comments on an idle stream; 0 disables them. @default 15000 */
  readonly keepAliveMs?: number;
  /** The `retry:` hint: how long a browser waits before reconnecting, in ms. @default 1000 */
  readonly retryMs?: number;
  /** First backoff after a failed backend read, in ms; doubled per consecutive failure. @default 500 */
  readonly errorBackoffMs?: number;
  /** Cap on that backoff, in ms. @default 30000 */
  readonly maxErrorBackoffMs?: number;
  /** How long `authorize` may take before the request gets 503 `AUTHORIZE_TIMEOUT`, in ms. @default 10000 */
  readonly authorizeTimeoutMs?: number;
  /**
   * How long fixing the start (tail snapshot or resume check, retried with backoff) may take
   * before the request gets 503 `BACKEND_UNAVAILABLE` with `Retry-After`, in ms: the first byte
   * comes within this even when the backend is unreachable. Also bounds each reopen after a
   * failed read. @default 5000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Byte budget of one reader, the next frame included: when a frame would take the bytes a slow
   * client has not taken yet past this, the response is cut (the client resumes with
   * `Last-Event-ID`). A frame larger than the budget still goes to a client with nothing queued.
   * @default 1048576
   */
  readonly maxBufferedBytes?: number;
  /** Timers (keep-alive, backoff) go through this clock. @default systemClock */
  readonly clock?: Clock;
  /** Where backend failures are reported (rate-limited). @default consoleLogger (warnings and errors to the console) */
  readonly logger?: Logger;
  /** Bytes buffered for a slow client before the handler stops reading the backend. @default 65536 */
  readonly highWaterMarkBytes?: number;
}

/** {@link SseOptions} with every default applied. */
export interface ResolvedSseOptions extends Required<Omit<SseOptions, 'authorize' | 'logger'>> {
  readonly authorize?: SseOptions['authorize'];
  readonly logger: Logger;
}

/** Applies the defaults and checks the numbers (`INVALID_CONFIG` naming the option). */
export function resolveSseOptions(options: SseOptions = {}): ResolvedSseOptions {
  if (options.from !== undefined && options.from !== 'tail' && options.from !== 'start') {
    throw new TaskStreamError('INVALID_CONFIG', `from must be "tail" or "start", got ${JSON.stringify(options.from)}`, { details: { variable: 'from', value: options.from } });
  }
  const resolved: ResolvedSseOptions = {
    from: options.from ?? 'start',
    endOnTerminal: options.endOnTerminal ?? true,
    keepAliveMs: requireNonNegativeInteger('keepAliveMs', options.keepAliveMs ?? 15_000),
    retryMs: requireNonNegativeInteger('retryMs', options.retryMs ?? 1_000),
    errorBackoffMs: requireNonNegativeInteger('errorBackoffMs', options.errorBackoffMs ?? 500, 1),
    maxErrorBackoffMs: requireNonNegativeInteger('maxErrorBackoffMs', options.maxErrorBackoffMs ?? 30_000, 1),
    authorizeTimeoutMs: requireNonNegativeInteger('authorizeTimeoutMs', options.authorizeTimeoutMs ?? 10_000, 1),
    connectTimeoutMs: requireNonNegativeInteger('connectTimeoutMs', options.connectTimeoutMs ?? 5_000, 1),
    maxBufferedBytes: requireNonNegativeInteger('maxBufferedBytes', options.maxBufferedBytes ?? 1_048_576, 1),
    clock: options.clock ?? systemClock,
    highWaterMarkBytes: requireNonNegativeInteger('highWaterMarkBytes', options.highWaterMarkBytes ?? 65_536, 1),
    ...(options.authorize ? { authorize: options.authorize } : {}),
    logger: options.logger ?? consoleLogger,
  };
  return resolved;
}
