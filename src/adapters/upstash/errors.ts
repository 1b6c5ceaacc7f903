import { errors as upstashErrors } from '@upstash/redis';
import { TaskStreamError, type TaskStreamErrorCode } from '../../domain/errors.js';
import { redactSecrets } from '../../domain/redaction.js';
import { isRetryable } from '../../domain/retry.js';
import { RestHttpError, RestNetworkError } from './rest-requester.js';

/** A failure mapped to a library error, with what a retry may do about it. */
export interface ClassifiedError {
  readonly error: TaskStreamError;
  /** A retry may succeed (network, 5xx, 429). */
  readonly transient: boolean;
  /** The request may have reached the server (a retry of a write could repeat it). */
  readonly maybeApplied: boolean;
}

const MAX_MESSAGE = 300;
const AUTH_MESSAGE = /^(Unauthorized|WRONGPASS|NOAUTH|NOPERM)\b/i;
const UNAVAILABLE_MESSAGE = /^(Service Unavailable|Bad Gateway|Gateway Timeout|Internal Server Error|Too Many Requests)\b|fetch failed|ECONNRESET|ECONNREFUSED|socket hang up|timed? ?out/i;

function statusCode(status: number): TaskStreamErrorCode {
  if (status === 401 || status === 403) return 'BACKEND_AUTH';
  if (status === 408 || status === 429 || status >= 500) return 'BACKEND_UNAVAILABLE';
  return 'BACKEND_COMMAND';
}

/** Replaces every occurrence of `secret` (raw, percent- or JSON-encoded) in `text`. */
export function redact(text: string, secret: string | undefined): string {
  return redactSecrets(text, [secret]);
}

/**
 * Maps what a request rejected with to a {@link TaskStreamError}: HTTP 401/403 → `BACKEND_AUTH`;
 * 400 (a command Redis refused) → `BACKEND_COMMAND`; network failures, timeouts, 5xx and 429 →
 * `BACKEND_UNAVAILABLE` (transient). Errors of a user-supplied client carry no status, so they
 * are classified from their message. The token is scrubbed from the message and from the
 * cause (a sanitized copy: a proxy that echoes the token in its body leaks nothing).
 */
export function classifyError(err: unknown, operation: string, secret: string | undefined): ClassifiedError {
  if (err instanceof TaskStreamError) return { error: err, transient: false, maybeApplied: true };
  const raw = err instanceof Error ? err.message : String(err);
  // The SDK's messages repeat the whole command (a batch of payloads): keep the start.
  const scrubbed = redact(raw, secret);
  const text = scrubbed.length > MAX_MESSAGE ? `${scrubbed.slice(0, MAX_MESSAGE)}…` : scrubbed;
  let code: TaskStreamErrorCode;
  let maybeApplied = true;
  if (err instanceof RestHttpError) {
    code = statusCode(err.status);
    maybeApplied = err.status >= 500 || err.status === 408;
  } else if (err instanceof RestNetworkError) {
    code = 'BACKEND_UNAVAILABLE';
    maybeApplied = err.sent;
  } else if (err instanceof upstashErrors.UpstashJSONParseError) {
    code = 'BACKEND_UNAVAILABLE';
  } else if (AUTH_MESSAGE.test(raw)) {
    code = 'BACKEND_AUTH';
  } else if (err instanceof upstashErrors.UpstashError && !UNAVAILABLE_MESSAGE.test(raw)) {
    code = 'BACKEND_COMMAND';
  } else {
    // Not a reply from the server (fetch's TypeError, an AbortError, a gateway page): the network.
    code = 'BACKEND_UNAVAILABLE';
  }
  const error = new TaskStreamError(code, `upstash ${operation} failed: ${text}`, { cause: err, details: { operation }, secrets: [secret] });
  // Transient exactly when the shared classification retries the code (BACKEND_UNAVAILABLE).
  return { error, transient: isRetryable(error), maybeApplied };
}

/** The error every call gets after `close()`. */
export function closedError(operation: string): TaskStreamError {
  return new TaskStreamError('CLOSED', `upstash repository is closed (${operation})`, { details: { operation } });
}
