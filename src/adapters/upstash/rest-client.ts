import { createHash } from 'node:crypto';
import { Redis, errors as upstashErrors, type Requester } from '@upstash/redis';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { backoffDelay, type RandomSource } from '../../domain/retry.js';
import { classifyError } from './errors.js';
import { keepAlive } from './read-poller.js';

/**
 * The SDK client taskstream sends commands through, with automatic deserialization off: field
 * values such as `"true"`, `"1"` or long digit strings come back as the exact strings stored.
 * (A `Redis` built from a custom requester ignores options, hence the subclass.)
 */
class RawRedis extends Redis {
  constructor(requester: Requester) {
    super(requester);
    this.opts = { automaticDeserialization: false, latencyLogging: false };
  }
}

/** The requester inside a user's client: its URL, token, retry and encoding settings. */
export function requesterOf(client: Redis): Requester {
  return (client as unknown as { client: Requester }).client;
}

/** A Lua script sent by `EVALSHA`, falling back to `EVAL` once when the server does not know it yet. */
export interface RestScript {
  readonly lua: string;
  readonly sha: string;
}

export function restScript(lua: string, sha?: string): RestScript {
  return { lua, sha: sha ?? createHash('sha1').update(lua).digest('hex') };
}

/** Settings of {@link RestClient}. */
export interface RestClientSettings {
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Jitter source for retry delays (equal jitter: each delay is uniform in [cap/2, cap]). @default Math.random */
  readonly random?: RandomSource;
  /** Scrubbed from every error message (the token). */
  readonly secret: string | undefined;
}

/** Whether a failed request may be sent again. */
export interface CallOptions {
  /** Running it twice does no harm (reads, idempotent appends). Others are retried only when surely not applied. */
  readonly idempotent: boolean;
}

/** One command per HTTP request, with bounded retries of transient failures timed by the injected clock. */
export class RestClient {
  readonly #redis: RawRedis;
  readonly #requester: Requester;
  readonly #settings: RestClientSettings;
  #closed = false;

  constructor(requester: Requester, settings: RestClientSettings) {
    this.#requester = requester;
    this.#redis = new RawRedis(requester);
    this.#settings = settings;
  }

  /** Stops retrying (a pending retry gives up with its last error). */
  close(): void {
    this.#closed = true;
  }

  /** Runs one Redis command (`POST /`) and returns its raw result. */
  command(operation: string, args: readonly string[], options: CallOptions): Promise<unknown> {
    return this.#withRetry(operation, options, () => this.#redis.exec([...args] as [string, ...string[]]));
  }

  /**
   * Sends one command once (no retry), abortable by `signal`, which also owns its timeout: a held
   * `XREAD … BLOCK`. Its caller decides what to do after a failure or an abort.
   */
  async held(operation: string, args: readonly string[], signal: AbortSignal): Promise<unknown> {
    try {
      const res = await this.#requester.request({ body: args, signal });
      if (res.error !== undefined && res.error !== null) throw new upstashErrors.UpstashError(res.error);
      return res.result;
    } catch (err) {
      throw classifyError(err, operation, this.#settings.secret).error;
    }
  }

  /** Runs a script with `EVALSHA`, loading it with `EVAL` when the server answers `NOSCRIPT`. */
  script(operation: string, script: RestScript, keys: readonly string[], args: readonly string[], options: CallOptions): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    return this.#withRetry(operation, options, async () => {
      try {
        return await this.#redis.exec(['EVALSHA', script.sha, ...tail]);
      } catch (err) {
        if (!(err instanceof Error) || !/NOSCRIPT/.test(err.message)) throw err;
        return this.#redis.exec(['EVAL', script.lua, ...tail]);
      }
    });
  }

  async #withRetry<T>(operation: string, options: CallOptions, call: () => Promise<T>): Promise<T> {
    const { retries, retryBaseMs, retryMaxMs, secret, clock, logger, random } = this.#settings;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const failure = classifyError(err, operation, secret);
        const safe = options.idempotent || !failure.maybeApplied;
        if (!failure.transient || !safe || attempt >= retries || this.#closed) throw failure.error;
        const delayMs = backoffDelay({ initialMs: retryBaseMs, maxMs: retryMaxMs, factor: 2, jitter: 'equal' }, attempt + 1, random);
        logger?.warn('taskstream upstash: request failed, retrying', { operation, attempt: attempt + 1, delayMs, error: failure.error.message });
        await new Promise<void>((resolve) => keepAlive(clock.setTimeout(resolve, delayMs)));
      }
    }
  }
}
