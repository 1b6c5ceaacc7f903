import { TaskStreamError } from '../../domain/errors.js';

const AUTH_PATTERN = /^(NOAUTH|WRONGPASS|NOPERM)\b|invalid username-password|Authentication required/i;
const UNAVAILABLE_PATTERN =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|Connection is closed|Stream isn't writeable|timed out|MaxRetriesPerRequest|max retries|CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|Failed to refresh slots cache|None of startup nodes is available/i;

/** True when `err` is Redis refusing the credentials (`NOAUTH`, `WRONGPASS`, `NOPERM`). */
export function isAuthError(err: unknown): boolean {
  return AUTH_PATTERN.test(err instanceof Error ? err.message : String(err));
}

/**
 * Maps whatever ioredis rejected with to a {@link TaskStreamError}: credentials refused →
 * `BACKEND_AUTH`; unreachable, reconnecting or timed out → `BACKEND_UNAVAILABLE`; any other
 * Redis reply error → `BACKEND_COMMAND`. The cause is a sanitized copy of the original (no
 * `command.args`, so no `AUTH` password); `secrets` (the URL's password) are redacted too.
 */
export function toTaskStreamError(err: unknown, operation: string, given: readonly string[] = []): TaskStreamError {
  if (err instanceof TaskStreamError) return err;
  const secrets = [...given, ...authArgs(err)];
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  let code: 'BACKEND_AUTH' | 'BACKEND_UNAVAILABLE' | 'BACKEND_COMMAND';
  if (/^(MOVED|ASK) /.test(message)) {
    // The slot lives elsewhere now (resharding, failover): transient, and the caller re-routes.
    return new TaskStreamError('BACKEND_UNAVAILABLE', `redis ${operation} failed: ${message}`, { cause: err, details: { operation, moved: true }, secrets });
  }
  if (AUTH_PATTERN.test(message)) code = 'BACKEND_AUTH';
  else if (name === 'MaxRetriesPerRequestError' || UNAVAILABLE_PATTERN.test(message) || (err as { code?: unknown })?.code !== undefined && name !== 'ReplyError') code = 'BACKEND_UNAVAILABLE';
  else code = 'BACKEND_COMMAND';
  return new TaskStreamError(code, `redis ${operation} failed: ${message}`, { cause: err, details: { operation }, secrets });
}

/** The password an ioredis error's `command` sent (`AUTH [user] pass`, `HELLO 3 AUTH user pass`), to redact wherever it is echoed. */
function authArgs(err: unknown): string[] {
  const command = (err as { command?: { name?: unknown; args?: unknown } } | null)?.command;
  if (!command || !Array.isArray(command.args) || !/^(auth|hello)$/i.test(String(command.name))) return [];
  const args = command.args.map(String);
  if (String(command.name).toLowerCase() === 'auth') return args.slice(-1);
  const at = args.findIndex((a) => a.toUpperCase() === 'AUTH');
  return at >= 0 ? args.slice(at + 2, at + 3) : [];
}

/** The error every call gets after `close()`. */
export function closedError(operation: string): TaskStreamError {
  return new TaskStreamError('CLOSED', `ioredis repository is closed (${operation})`, { details: { operation } });
}
