import type { IncomingMessage, ServerResponse } from 'node:http';
import { TaskStreamError } from '../../domain/errors.js';
import { isBadRequest, methodNotAllowed, SSE_METHODS } from './http-errors.js';
import { systemClock } from '../clock/system-clock.js';
import { rateLimited } from './log-limiter.js';
import type { SseOptions } from './sse-options.js';
import { sseResponse } from './sse-response.js';
import type { SubscriberLike } from './subscriber-source.js';

/**
 * A web `Request` for a Node request: same URL, method and headers, and a signal that aborts
 * when the client goes away (the response closes before it finished). Throws `INVALID_ARGUMENT`
 * when the request line or `Host` header cannot make a URL (`Host: a b`, `Host: [bad`,
 * `Host: x:99999999`), or the method or a header cannot make a web `Request`; {@link sendSse}
 * answers those with 400.
 */
export function toWebRequest(req: IncomingMessage, res: ServerResponse): Request {
  let url: URL;
  let headers: Headers;
  try {
    url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  } catch (err) {
    throw new TaskStreamError('INVALID_ARGUMENT', 'malformed request line or Host header', { cause: err });
  }
  const aborter = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborter.abort();
  });
  try {
    return new Request(url, { method: req.method ?? 'GET', headers, signal: aborter.signal });
  } catch (err) {
    throw new TaskStreamError('INVALID_ARGUMENT', 'request method or headers are not valid for a web Request', { cause: err });
  }
}

/**
 * Writes a web `Response` to a Node `ServerResponse`, honouring backpressure (waits for
 * `drain`). When the client disconnects the body is cancelled at once, which for an SSE body
 * stops its reader. An event-stream also gets `Connection: keep-alive`.
 */
export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (headers['content-type']?.startsWith('text/event-stream')) headers['connection'] = 'keep-alive';
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  const onClose = (): void => {
    void reader.cancel().catch(() => undefined);
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await waitForDrain(res);
      if (res.destroyed) break;
    }
    if (!res.destroyed) res.end();
  } catch {
    // The body errored because the client left (or the handler aborted it): nothing to send.
    if (!res.destroyed) res.destroy();
  } finally {
    res.off('close', onClose);
  }
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Serves one SSE request on Node's `http` server: checks, authorizes and streams exactly like
 * {@link sseResponse}, and writes the result to `res`. Never rejects, so `void sendSse(...)` is
 * safe: a request Node accepted but a web `Request` cannot carry (a malformed `Host`) gets 400,
 * a method other than GET/HEAD gets 405, any other failure before the first byte gets a logged
 * 500, and one after it a logged end of the response.
 *
 * @example
 * http.createServer((req, res) => {
 *   // Not `new URL(req.url, …)`: it throws on request lines Node accepts (`GET http://[bad/ …`).
 *   void sendSse(subscriber, req.url?.split(/[/?]/)[2] ?? '', req, res); // '/tasks/:id/events'
 * });
 */
export async function sendSse(
  subscriber: SubscriberLike,
  taskId: string,
  req: IncomingMessage,
  res: ServerResponse,
  options: SseOptions = {},
): Promise<void> {
  try {
    if (!SSE_METHODS.has(req.method ?? 'GET')) {
      await writeWebResponse(methodNotAllowed(), res);
      return;
    }
    const response = await sseResponse(subscriber, taskId, toWebRequest(req, res), options);
    await writeWebResponse(response, res);
  } catch (err) {
    answerFailure(err, res, options);
  }
}

function answerFailure(err: unknown, res: ServerResponse, options: SseOptions): void {
  const badRequest = isBadRequest(err);
  if (!badRequest) {
    rateLimited(options.logger, options.clock ?? systemClock)?.error('taskstream sse: request failed', { error: err instanceof Error ? err.message : String(err) });
  }
  try {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const [status, code, message] = badRequest ? [400, err.code, err.message] : [500, 'INTERNAL', 'the server could not serve this stream'];
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error: { code, message } }));
  } catch {
    res.destroy();
  }
}
