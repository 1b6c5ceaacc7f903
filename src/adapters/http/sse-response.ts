import { TaskStreamError } from '../../domain/errors.js';
import { parseStreamId, type StreamId } from '../../domain/stream-id.js';
import { badRequest, isBadRequest, jsonError } from './http-errors.js';
import { resolveSseOptions, type AuthorizeDecision, type ResolvedSseOptions, type SseOptions } from './sse-options.js';
import { fixStart, pump, type PumpStart } from './sse-pump.js';
import type { SseSubscription } from './sse-source.js';
import { toSseSource, type SubscriberLike } from './subscriber-source.js';
import { guardTaskId } from './topic-guard.js';
import { SseWriter } from './sse-writer.js';

/** Headers of every SSE response: no caching, no proxy buffering (nginx honours `X-Accel-Buffering`). */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
});

/**
 * The resume point of a request: the `Last-Event-ID` header (what a browser sends when it
 * reconnects) or else the `lastEventId` query parameter; undefined when neither is set or both
 * are empty. Throws `INVALID_RESUME_POINT` when it is not a stream id (`ms-seq`).
 */
export function resumePointOf(request: Request): StreamId | undefined {
  const header = request.headers.get('last-event-id')?.trim();
  const query = new URL(request.url).searchParams.get('lastEventId')?.trim();
  const raw = header ? header : query;
  if (!raw) return undefined;
  try {
    parseStreamId(raw);
    return raw;
  } catch (err) {
    throw new TaskStreamError('INVALID_RESUME_POINT', `malformed Last-Event-ID ${JSON.stringify(raw).slice(0, 80)}: want a stream id "ms-seq"`, {
      cause: err,
      details: { lastEventId: raw },
    });
  }
}

/**
 * Answers one SSE request for `taskId` with a web-standard `Response` whose body streams the
 * task's events (Hono, Next.js route handlers, Bun, Deno; Node through `@hono/node-server` or
 * {@link sendSse}). Before any byte: a bad task id or malformed resume point gets 400 JSON,
 * `authorize` can answer 401/403, and the cursor is fixed, so `connected` follows the snapshot.
 * A reconnect whose resume point is the task's terminal event (the client was sent the end)
 * gets 204 No Content, with nothing left open: a browser `EventSource` stops reconnecting.
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
  let lastEventId: StreamId | undefined;
  try {
    guardTaskId(taskId, options.keyPrefix);
    const denied = await authorize(options, request, taskId);
    if (denied) return denied;
    lastEventId = resumePointOf(request);
  } catch (err) {
    if (isBadRequest(err)) return badRequest(err);
    throw err;
  }

  const aborter = new AbortController();
  const onRequestAbort = (): void => aborter.abort();
  if (request.signal.aborted) return jsonError(499, 'ABORTED', 'client closed the request');
  request.signal.addEventListener('abort', onRequestAbort, { once: true });

  const source = toSseSource(subscriber);
  let subscription: SseSubscription;
  try {
    subscription = source.open({
      taskId,
      ...(lastEventId !== undefined ? { lastEventId } : {}),
      from: options.from,
      untilTerminal: options.endOnTerminal,
      signal: aborter.signal,
    });
  } catch (err) {
    request.signal.removeEventListener('abort', onRequestAbort);
    if (isBadRequest(err)) return badRequest(err);
    throw err;
  }
  const cursor = await fixStart(subscription);
  if (!cursor.ok && isBadRequest(cursor.error)) {
    aborter.abort();
    request.signal.removeEventListener('abort', onRequestAbort);
    return badRequest(cursor.error);
  }
  if (cursor.ok && cursor.ended) {
    // The client already got the terminal event (a browser reconnecting after `end`): 204 stops it for good.
    aborter.abort();
    request.signal.removeEventListener('abort', onRequestAbort);
    return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
  }

  const writer = new SseWriter(options.clock, options.keepAliveMs, options.highWaterMarkBytes, () => {
    aborter.abort();
    request.signal.removeEventListener('abort', onRequestAbort);
  });
  // The client may have left while the cursor was being fixed: then end at once, holding no timer.
  if (aborter.signal.aborted) writer.abort();
  else aborter.signal.addEventListener('abort', () => writer.abort(), { once: true });
  const start: PumpStart = { taskId, source, subscription, cursor, resumed: lastEventId !== undefined, lastEventId, signal: aborter.signal };
  void pump(start, writer, options).catch((err: unknown) => {
    options.logger?.error('taskstream sse: stream failed', { taskId, error: err instanceof Error ? err.message : String(err) });
    writer.abort();
  });
  return new Response(writer.stream, { status: 200, headers: SSE_HEADERS });
}

async function authorize(options: ResolvedSseOptions, request: Request, taskId: string): Promise<Response | undefined> {
  if (!options.authorize) return undefined;
  let decision: AuthorizeDecision;
  try {
    decision = await options.authorize(request, taskId);
  } catch (err) {
    options.logger?.error('taskstream sse: authorize threw; denying', { taskId, error: err instanceof Error ? err.message : String(err) });
    return jsonError(403, 'FORBIDDEN', 'not allowed to read this task');
  }
  if (decision === true) return undefined;
  if (decision instanceof Response) return decision;
  if (decision === 401) return jsonError(401, 'UNAUTHORIZED', 'authentication required');
  return jsonError(403, 'FORBIDDEN', 'not allowed to read this task');
}
