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
