import { TaskStreamError } from '../../domain/errors.js';
import type { Logger } from '../../ports/logger.js';
import { parseResumePoint } from '../../domain/cursor.js';
import type { StreamId } from '../../domain/stream-id.js';
import { sleep } from '../../domain/sleep.js';
import { badRequest, isBadRequest, jsonError, methodNotAllowed, serviceUnavailable, SSE_METHODS } from './http-errors.js';
import { rateLimited } from './log-limiter.js';
import { resolveSseOptions, type AuthorizeDecision, type ResolvedSseOptions, type SseOptions } from './sse-options.js';
import { pump } from './sse-pump.js';
import { backoffDelay, isFinal, openWithin, within, type Opened, type OpenRequest } from './sse-start.js';
import { toSseSource, type SubscriberLike } from './subscriber-source.js';
import { guardTaskId } from './topic-guard.js';
import { SseWriter } from './sse-writer.js';
import { sharedFramesOf } from './shared-frames.js';
import { formatSseFrame, formatSseRetry } from './sse-frame.js';
import { streamErrorFrame } from './sse-events.js';

/** Headers of every SSE response: no caching, no proxy buffering (nginx honours `X-Accel-Buffering`). */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
});

/** The resume point as the client sent it: the `Last-Event-ID` header, else `?lastEventId=`; trimmed; undefined when empty. */
function rawResumePoint(request: Request): string | undefined {
  const header = request.headers.get('last-event-id')?.trim();
  const query = new URL(request.url).searchParams.get('lastEventId')?.trim();
  return (header ? header : query) || undefined;
}

/**
 * The resume point of a request: the `Last-Event-ID` header (what a browser sends when it
 * reconnects) or else the `lastEventId` query parameter; undefined when neither is set or both
 * are empty. Throws `INVALID_RESUME_POINT` when it is not a stream id (`ms-seq`).
 */
export function resumePointOf(request: Request): StreamId | undefined {
  return parseResumePoint(rawResumePoint(request));
}

/**
 * Answers one SSE request for `taskId` with a web-standard `Response` whose body streams the
 * task's events (Hono, Next.js route handlers, Bun, Deno; Node through `@hono/node-server` or
 * {@link sendSse}). Before any byte: a method other than GET/HEAD gets 405, a bad task id or
 * malformed resume point 400 JSON, `authorize` can answer 401/403 (503 when it takes longer than
 * `authorizeTimeoutMs`), and the cursor is fixed, so `connected` follows the snapshot; when
 * that cannot be done within `connectTimeoutMs` the answer is 503 with `Retry-After`. HEAD gets
 * the headers only and opens no subscription. A reconnect whose resume point is the task's
 * terminal event (the client was sent the end) gets 204 No Content, with nothing left open.
 *
 * @example
 * app.get('/tasks/:id/events', (c) => sseResponse(subscriber, c.req.param('id'), c.req.raw));
 */
export async function sseResponse(
  subscriber: SubscriberLike,
  taskId: string,
  request: Request,
  options: SseOptions = {},
): Promise<Response> {
  return respond(subscriber, taskId, request, resolveSseOptions(options));
}

/**
 * A handler bound to one subscriber and one set of options (checked once, here):
 * `handler(request, taskId)`.
 */
export function createSseHandler(
  subscriber: SubscriberLike,
  options: SseOptions = {},
): (request: Request, taskId: string) => Promise<Response> {
  const resolved = resolveSseOptions(options);
  return (request, taskId) => respond(subscriber, taskId, request, resolved);
}

async function respond(subscriber: SubscriberLike, taskId: string, request: Request, options: ResolvedSseOptions): Promise<Response> {
  if (!SSE_METHODS.has(request.method)) return methodNotAllowed();
  const logger = rateLimited(options.logger, options.clock);
  let lastEventId: string | undefined;
  try {
    guardTaskId(taskId, '');
    const denied = await authorize(options, request, taskId);
    if (denied) return denied;
    lastEventId = rawResumePoint(request);
    if (request.method === 'HEAD') {
      parseResumePoint(lastEventId);
      return new Response(null, { status: 200, headers: SSE_HEADERS });
    }
  } catch (err) {
    if (isBadRequest(err)) return badRequest(err);
    throw err;
  }
  if (request.signal.aborted) return jsonError(499, 'ABORTED', 'client closed the request');

  const aborter = new AbortController();
  const onRequestAbort = (): void => aborter.abort();
  request.signal.addEventListener('abort', onRequestAbort, { once: true });
  const release = (): void => {
    aborter.abort();
    request.signal.removeEventListener('abort', onRequestAbort);
  };
  const open: OpenRequest = { source: toSseSource(subscriber), taskId, lastEventId, signal: aborter.signal };
  const opened = await openStart(open, options);
  const writer = (): SseWriter => {
    const w = new SseWriter(options.clock, options.keepAliveMs, options.highWaterMarkBytes, release);
    // The client may have left while the cursor was being fixed: then end at once, holding no timer.
    if (aborter.signal.aborted) w.abort();
    else aborter.signal.addEventListener('abort', () => w.abort(), { once: true });
    return w;
  };

  if (!opened.ok) return failedStart(opened.error, opened.timedOut, aborter.signal.aborted, { taskId, options, logger, release, writer });
  if (lastEventId !== undefined && aheadOfClock(opened.start.startId, options.clock.now())) {
    // Only a missing stream gets here (an existing one rejects ids past its tail): no server issued this id.
    opened.stop();
    release();
    return badRequest(
      new TaskStreamError('INVALID_RESUME_POINT', `Last-Event-ID ${JSON.stringify(lastEventId).slice(0, 80)} is ahead of the server clock: no stream issued it`, {
        details: { lastEventId },
      }),
    );
  }
  if (opened.start.ended) {
    // The client already got the terminal event (a browser reconnecting after `end`): 204 stops it for good.
    opened.stop();
    release();
    return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
  }

  const w = writer();
  const start = { request: open, subscription: opened.subscription, start: opened.start, resumed: lastEventId !== undefined, frames: sharedFramesOf(subscriber), logger };
  void pump(start, w, options).catch((err: unknown) => {
    logger?.error('taskstream sse: stream failed', { taskId, error: err instanceof Error ? err.message : String(err) });
    w.abort();
  });
  return new Response(w.stream, { status: 200, headers: SSE_HEADERS });
}

/** The answer when the start could not be fixed: 499, 400, one terminal error event, or 503. */
function failedStart(
  error: unknown,
  timedOut: boolean,
  aborted: boolean,
  context: { taskId: string; options: ResolvedSseOptions; logger: Logger | undefined; release: () => void; writer: () => SseWriter },
): Response {
  const { taskId, options, logger, release } = context;
  const describe = error instanceof Error ? error.message : String(error);
  if (aborted) {
    release();
    return jsonError(499, 'ABORTED', 'client closed the request');
  }
  if (isBadRequest(error)) {
    release();
    return badRequest(error);
  }
  if (isFinal(error)) {
    // The stream cannot be read at all (a key of the wrong type, a closed repository): one terminal error event.
    logger?.warn('taskstream sse: ending the stream', { taskId, error: describe });
    const w = context.writer();
    w.write(formatSseRetry(options.retryMs));
    w.write(formatSseFrame(streamErrorFrame(error, options.retryMs, true)));
    w.close();
    return new Response(w.stream, { status: 200, headers: SSE_HEADERS });
  }
  release();
  logger?.warn('taskstream sse: could not fix the start; answering 503', { taskId, timedOut, error: describe });
  return serviceUnavailable('BACKEND_UNAVAILABLE', 'the event store did not answer in time; retry later', options.connectTimeoutMs);
}

/** How far a resume id's time part may run ahead of the edge's clock (skew between servers). */
const MAX_ID_CLOCK_SKEW_MS = 5 * 60_000;

function aheadOfClock(id: StreamId, now: number): boolean {
  const ms = id.slice(0, id.indexOf('-'));
  return BigInt(ms) > BigInt(Math.floor(now)) + BigInt(MAX_ID_CLOCK_SKEW_MS);
}

/**
 * Fixes the start, retrying transient failures with the handler's backoff, all within
 * `connectTimeoutMs`: the one retry loop of the start (the subscriber does not retry).
 */
async function openStart(open: OpenRequest, options: ResolvedSseOptions): Promise<Opened> {
  const deadline = options.clock.now() + options.connectTimeoutMs;
  for (let failures = 1; ; failures++) {
    const opened = await openWithin(open, options, Math.max(1, deadline - options.clock.now()));
    if (opened.ok || opened.timedOut || open.signal.aborted || isBadRequest(opened.error) || isFinal(opened.error)) return opened;
    const remaining = deadline - options.clock.now();
    if (remaining <= 0) return opened;
    await sleep(options.clock, Math.min(backoffDelay(failures, options), remaining), open.signal);
  }
}

async function authorize(options: ResolvedSseOptions, request: Request, taskId: string): Promise<Response | undefined> {
  if (!options.authorize) return undefined;
  const log = rateLimited(options.logger, options.clock);
  let decision: AuthorizeDecision;
  try {
    const outcome = await within(options.clock, options.authorizeTimeoutMs, Promise.resolve(options.authorize(request, taskId)));
    if (outcome.kind === 'timeout') {
      log?.error('taskstream sse: authorize timed out', { taskId, timeoutMs: options.authorizeTimeoutMs });
      return serviceUnavailable('AUTHORIZE_TIMEOUT', 'authorization did not answer in time; retry later', options.authorizeTimeoutMs);
    }
    if (outcome.kind === 'error') throw outcome.error;
    decision = outcome.value;
  } catch (err) {
    log?.error('taskstream sse: authorize threw; denying', { taskId, error: err instanceof Error ? err.message : String(err) });
    return jsonError(403, 'FORBIDDEN', 'not allowed to read this task');
  }
  if (decision === true) return undefined;
  if (decision instanceof Response) return decision;
  if (decision === 401) return jsonError(401, 'UNAUTHORIZED', 'authentication required');
  return jsonError(403, 'FORBIDDEN', 'not allowed to read this task');
}

