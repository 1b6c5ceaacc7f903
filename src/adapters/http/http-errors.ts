import { TaskStreamError } from '../../domain/errors.js';

/** The JSON body of every error the SSE handler answers before streaming. */
export interface HttpErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** A JSON error response (`{"error":{"code","message"}}`), never cached. */
export function jsonError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  const body: HttpErrorBody = { error: { code, message } };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** Codes that mean the request itself is wrong (HTTP 400). */
const BAD_REQUEST_CODES = new Set(['INVALID_ARGUMENT', 'INVALID_STREAM_ID', 'INVALID_RESUME_POINT']);

/** True when `err` is a client error the handler answers with 400. */
export function isBadRequest(err: unknown): err is TaskStreamError {
  return err instanceof TaskStreamError && BAD_REQUEST_CODES.has(err.code);
}

/** The 400 response for a bad task id or resume point. */
export function badRequest(err: TaskStreamError): Response {
  return jsonError(400, err.code, err.message);
}

/** The methods the SSE handler answers; any other gets 405. */
export const SSE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** 405 Method Not Allowed, with `Allow: GET, HEAD`. */
export function methodNotAllowed(): Response {
  return jsonError(405, 'METHOD_NOT_ALLOWED', 'an event stream is read with GET (or HEAD)', { allow: 'GET, HEAD' });
}

/** 503 Service Unavailable with a `Retry-After` (seconds): the backend or `authorize` did not answer in time. */
export function serviceUnavailable(code: string, message: string, retryAfterMs: number): Response {
  return jsonError(503, code, message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
}
