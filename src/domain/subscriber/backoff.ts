import { TaskStreamError } from '../errors.js';

/**
 * Adaptive poll interval for backends that cannot block: the first empty poll after entries
 * waits `minMs`, each further empty poll doubles the wait up to `maxMs`.
 */
export class PollBackoff {
  #next: number;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {
    this.#next = minMs;
  }

  /** Entries arrived: poll again at once, and fast after that. */
  active(): void {
    this.#next = this.minMs;
  }

  /** The poll came back empty: how long to wait before the next one. */
  idle(): number {
    const wait = this.#next;
    this.#next = Math.min(this.maxMs, Math.max(this.minMs, this.#next * 2));
    return wait;
  }
}

/** Codes that retrying cannot fix: they surface at once. */
const FATAL_CODES = new Set(['BACKEND_AUTH', 'BACKEND_COMMAND', 'CLOSED', 'INVALID_ARGUMENT', 'INVALID_STREAM_ID', 'UNSUPPORTED']);

/** True when a backend failure is worth retrying (network trouble, unknown errors). */
export function isTransient(err: unknown): boolean {
  return !(err instanceof TaskStreamError && FATAL_CODES.has(err.code));
}

/** Delay before retry number `attempt` (1-based): `baseMs * 2^(attempt-1)`, capped at `maxMs`. */
export function retryDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
}

/** The error a subscriber throws once retries are used up: the backend's own when it is typed. */
export function exhausted(err: unknown, attempts: number): TaskStreamError {
  if (err instanceof TaskStreamError) return err;
  return new TaskStreamError('BACKEND_UNAVAILABLE', `backend read failed ${attempts} times in a row`, {
    cause: err,
    details: { attempts },
  });
}
