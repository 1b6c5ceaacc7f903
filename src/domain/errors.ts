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
 * - `UNSUPPORTED`: the backend lacks a capability the caller asked for.
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
  | 'UNSUPPORTED'
  | 'ABORTED';

/** Extra, code-specific facts an error carries (the variable name of a bad setting, a trimmed count, …). */
export type TaskStreamErrorDetails = Readonly<Record<string, unknown>>;

/** The one error type taskstream throws or reports. Branch on {@link TaskStreamError.code}, never on the message. */
export class TaskStreamError extends Error {
  override readonly name = 'TaskStreamError';
  readonly code: TaskStreamErrorCode;
  readonly details: TaskStreamErrorDetails;

  constructor(
    code: TaskStreamErrorCode,
    message: string,
    options: { cause?: unknown; details?: TaskStreamErrorDetails } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** True when `err` is a {@link TaskStreamError}, optionally with the given code. */
  static is(err: unknown, code?: TaskStreamErrorCode): err is TaskStreamError {
    return err instanceof TaskStreamError && (code === undefined || err.code === code);
  }
}
