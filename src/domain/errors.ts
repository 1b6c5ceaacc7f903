import { containsSecret, redactSecrets, sanitizeCause } from './redaction.js';

/**
 * Every failure taskstream reports is a {@link TaskStreamError} with one of these codes.
 * The codes are part of the public API; `docs/errors.md` lists what each means.
 *
 * - `INVALID_CONFIG`: a setting (option or environment variable) is missing, negative, NaN or not an integer.
 * - `INVALID_ARGUMENT`: a caller passed a value the API cannot accept (empty task id, bad topic name, …).
 * - `INVALID_STREAM_ID`: a string is not a Redis stream id (`ms-seq`, both 64-bit unsigned).
 * - `INVALID_RESUME_POINT`: a `Last-Event-ID` that is malformed, or newer than anything the stream holds.
 * - `DECODE_FAILED`: a stream entry could not be decoded into an event (foreign or malformed payload).
 * - `AFTER_TERMINAL`: something was sent on a message after its `full` or `done` (here, or by another producer: the store refuses it).
 * - `DUPLICATE_MESSAGE`: a publisher was asked to open a message index it already opened for that task.
 * - `CLOSED`: the publisher, subscriber, context or repository was used after `close()`.
 * - `PUBLISH_FAILED`: the backend refused an append even after the bounded retries.
 * - `BACKEND_UNAVAILABLE`: the backend could not be reached (network, 5xx) after bounded retries.
 * - `BACKEND_AUTH`: the backend rejected the credentials (for example Upstash HTTP 401).
 * - `BACKEND_COMMAND`: the backend rejected a command it received.
 * - `ABORTED`: an `AbortSignal` fired before the operation could complete.
 */
export type TaskStreamErrorCode =
  | 'INVALID_CONFIG'
  | 'INVALID_ARGUMENT'
  | 'INVALID_STREAM_ID'
  | 'INVALID_RESUME_POINT'
  | 'DECODE_FAILED'
  | 'AFTER_TERMINAL'
  | 'DUPLICATE_MESSAGE'
  | 'CLOSED'
  | 'PUBLISH_FAILED'
  | 'BACKEND_UNAVAILABLE'
  | 'BACKEND_AUTH'
  | 'BACKEND_COMMAND'
  | 'ABORTED';

/** Extra, code-specific facts an error carries (the variable name of a bad setting, a trimmed count, …). */
export type TaskStreamErrorDetails = Readonly<Record<string, unknown>>;

/** What a {@link TaskStreamError} is built from besides its code and message. */
export interface TaskStreamErrorOptions {
  /** The underlying failure. Stored as a sanitized copy (see {@link TaskStreamError.cause}). */
  readonly cause?: unknown;
  readonly details?: TaskStreamErrorDetails;
  /**
   * Credentials the failure may echo (a URL's password, a REST token). Every occurrence, in
   * every usual encoding, is replaced by `[redacted]` in the message, the string values of
   * `details`, and each message and stack down the cause chain.
   */
  readonly secrets?: readonly (string | undefined)[];
}

/**
 * The one error type taskstream throws or reports. Branch on {@link TaskStreamError.code}, never on the message.
 *
 * It is safe to print whole (`console.error(err)`, `util.inspect`, `JSON.stringify`): its
 * `cause` is not the original error but a sanitized copy, down the whole chain: the same
 * built-in class (or a plain `Error` keeping the original `name`) with message, stack and
 * `code`/`errno`/`syscall`/`status` only. Properties where libraries keep what they sent
 * (`input` of a URL `TypeError`, ioredis's `command.args` of `AUTH`) are dropped, and the
 * `secrets` given at construction are redacted everywhere.
 */
export class TaskStreamError extends Error {
  override readonly name = 'TaskStreamError';
  readonly code: TaskStreamErrorCode;
  readonly details: TaskStreamErrorDetails;

  constructor(code: TaskStreamErrorCode, message: string, options: TaskStreamErrorOptions = {}) {
    const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s !== '');
    const cause = sanitizeCause(options.cause, secrets, (err) => keepSanitized(err, secrets));
    super(redactSecrets(String(message), secrets), cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = redactDetails(options.details ?? {}, secrets);
  }

  /** True when `err` is a {@link TaskStreamError}, optionally with the given code. */
  static is(err: unknown, code?: TaskStreamErrorCode): err is TaskStreamError {
    return err instanceof TaskStreamError && (code === undefined || err.code === code);
  }

  /** What `JSON.stringify` and structured loggers see: name, code, message, details and the cause chain's names and messages. */
  toJSON(): Record<string, unknown> {
    const causes: { name: string; message: string }[] = [];
    for (let c: unknown = this.cause; c instanceof Error && causes.length < 8; c = c.cause) causes.push({ name: c.name, message: c.message });
    return { name: this.name, code: this.code, message: this.message, details: this.details, ...(causes.length > 0 ? { causes } : {}) };
  }
}

/** TaskStreamErrors being rebuilt with new secrets: met again, on a cause cycle, one is copied like any error (the copy stops at a fixed depth). */
const rebuilding = new Set<Error>();

/**
 * A TaskStreamError cause is already sanitized: kept as is unless something it prints, at any
 * depth (messages, stacks, `details`, kept properties, `errors`, nested TaskStreamErrors),
 * holds one of the new secrets, or cannot be searched; then it is rebuilt with them.
 */
function keepSanitized(err: Error, secrets: readonly string[]): Error | undefined {
  if (!(err instanceof TaskStreamError)) return undefined;
  if (secrets.length === 0) return err;
  const text = printedText(err);
  if (text !== undefined && !containsSecret(text, secrets)) return err;
  if (rebuilding.has(err)) return undefined;
  rebuilding.add(err);
  try {
    const copy = new TaskStreamError(err.code, err.message, { cause: err.cause, details: err.details, secrets });
    Object.defineProperty(copy, 'stack', { value: redactSecrets(String(err.stack), secrets), configurable: true, writable: true });
    return copy;
  } finally {
    rebuilding.delete(err);
  }
}

/**
 * Everything `util.inspect` could print of a sanitized error graph (errors, and strings that
 * stand for thrown non-errors), followed without a depth limit, each node once; undefined when
 * an error's properties cannot be written as JSON.
 */
function printedText(root: Error): string | undefined {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (seen.has(node)) continue;
    seen.add(node);
    if (typeof node === 'string') parts.push(node);
    if (!(node instanceof Error)) continue;
    const properties = jsonText({ ...node });
    if (properties === undefined) return undefined;
    parts.push(String(node.name), String(node.message), String(node.stack), properties);
    pending.push(node.cause);
    const errors: unknown = (node as { errors?: unknown }).errors;
    if (Array.isArray(errors)) pending.push(...(errors as unknown[]));
  }
  return parts.join('\n');
}

/** What a detail that cannot be written as JSON (a throwing `toJSON`) becomes when secrets are given: it cannot be searched. */
const UNPRINTABLE = '[unprintable]';

function redactDetails(details: TaskStreamErrorDetails, secrets: readonly string[]): TaskStreamErrorDetails {
  if (secrets.length === 0) return details;
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const [key, value] of Object.entries(details)) {
    out[key] = redactDetail(value, secrets);
    changed ||= out[key] !== value;
  }
  return changed ? out : details;
}

/** A string redacted; another value as its redacted JSON text when that holds a secret, else as it is. */
function redactDetail(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  const text = jsonText(value);
  if (text === undefined) return UNPRINTABLE;
  return containsSecret(text, secrets) ? redactSecrets(text, secrets) : value;
}

/** JSON text of `value` for a secret search (bigints as digits, a repeated object as `[Circular]`); undefined when it cannot be written. */
function jsonText(value: unknown): string | undefined {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') return v.toString();
        if (typeof v !== 'object' || v === null) return v;
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
        return v;
      }) ?? ''
    );
  } catch {
    return undefined;
  }
}
