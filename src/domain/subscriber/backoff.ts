import { TaskStreamError } from '../errors.js';
import { backoffCap, type Backoff } from '../retry.js';

/**
 * Adaptive poll interval for backends that cannot block: the first empty poll after entries
 * waits `minMs`, each further empty poll doubles the wait up to `maxMs`.
 */
export class PollBackoff {
  readonly #policy: Backoff;
  #empties = 0;

  constructor(minMs: number, maxMs: number) {
    this.#policy = { initialMs: minMs, maxMs: Math.max(minMs, maxMs), factor: 2, jitter: 'none' };
  }

  /** Entries arrived: poll again at once, and fast after that. */
  active(): void {
    this.#empties = 0;
  }

  /** The poll came back empty: how long to wait before the next one. */
  idle(): number {
    this.#empties = Math.min(this.#empties + 1, 64);
    return backoffCap(this.#policy, this.#empties);
  }
}

/** The error a subscriber throws once retries are used up: the backend's own when it is typed. */
export function exhausted(err: unknown, attempts: number): TaskStreamError {
  if (err instanceof TaskStreamError) return err;
  return new TaskStreamError('BACKEND_UNAVAILABLE', `backend read failed ${attempts} times in a row`, {
    cause: err,
    details: { attempts },
  });
}
