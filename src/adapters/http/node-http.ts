import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SseOptions } from './sse-options.js';
import { sseResponse } from './sse-response.js';
import type { SubscriberLike } from './subscriber-source.js';

/**
 * A web `Request` for a Node request: same URL, method and headers, and a signal that aborts
 * when the client goes away (the response closes before it finished).
 */
export function toWebRequest(req: IncomingMessage, res: ServerResponse): Request {
  const aborter = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborter.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const host = req.headers.host ?? 'localhost';
  return new Request(new URL(req.url ?? '/', `http://${host}`), { method: req.method ?? 'GET', headers, signal: aborter.signal });
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
 * {@link sseResponse}, and writes the result to `res`.
 *
 * @example
 * http.createServer((req, res) => {
 *   const taskId = new URL(req.url ?? '/', 'http://x').pathname.split('/')[2] ?? '';
 *   void sendSse(subscriber, taskId, req, res);
 * });
 */
export async function sendSse(
  subscriber: SubscriberLike,
  taskId: string,
  req: IncomingMessage,
  res: ServerResponse,
  options: SseOptions = {},
): Promise<void> {
  const request = toWebRequest(req, res);
  const response = await sseResponse(subscriber, taskId, request, options);
  await writeWebResponse(response, res);
}
