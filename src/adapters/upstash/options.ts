import type { Redis } from '@upstash/redis';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { TaskStreamError } from '../../domain/errors.js';
import { requireNonNegativeInteger } from '../../domain/validation.js';

/** Bounded retries of failed HTTP requests (network errors, 5xx). */
export interface UpstashRetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. @default 3 */
  readonly retries?: number;
  /** Delay before the first retry, in ms; doubles per retry (with jitter). @default 50 */
  readonly baseDelayMs?: number;
  /** Cap on one retry delay, in ms. @default 1000 */
  readonly maxDelayMs?: number;
}

/**
 * How reads wait for entries: `block` holds one `XREAD … BLOCK` request per repository for all
 * its waiting readers; `poll` polls with the adaptive multiplexed poller; `auto` blocks, and
 * falls back to polling for good when the server answers a blocking read with an error (an
 * Upstash-compatible server without blocking commands).
 */
export type UpstashReadMode = 'auto' | 'block' | 'poll';

/** Options of {@link createUpstashRepository}. */
export interface UpstashRepositoryOptions {
  /** REST URL of the database. @default process.env.UPSTASH_REDIS_REST_URL */
  readonly url?: string;
  /** REST token of the database. Never logged, never put in an error message. @default process.env.UPSTASH_REDIS_REST_TOKEN */
  readonly token?: string;
  /**
   * An existing `@upstash/redis` client to send requests through instead of `url`/`token`.
   * Its URL, token, retry and encoding settings are used; its `automaticDeserialization` is
   * not: taskstream always reads raw strings and decodes them with its codec. `close()` leaves
   * it alone. Errors are classified from its messages, less precisely than with `url`/`token`,
   * and its HTTP layer resends a request after a network error (even with `retry: false` it
   * tries twice): appends with idempotency stay exactly-once, plain appends may be written twice.
   * @default undefined
   */
  readonly client?: Redis;
  /** Environment to read the URL and token from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock for poll and retry timers. @default systemClock */
  readonly clock?: Clock;
  /** Where retries are reported (never with the token). @default consoleLogger (warnings and errors to the console) */
  readonly logger?: Logger;
  /** How reads wait for entries (see {@link UpstashReadMode}). @default 'auto' */
  readonly readMode?: UpstashReadMode;
  /**
   * Server-side block time of the held `XREAD` (one request per this long while readers wait
   * and nothing arrives), in ms. Readers still end at their own `blockMs`. @default 10000
   */
  readonly blockMs?: number;
  /**
   * A held read unanswered after this many ms is aborted and sent again from the same cursors
   * (a network timeout). Must exceed `blockMs`. @default blockMs + 5000
   */
  readonly heldRequestTimeoutMs?: number;
  /** Poll interval while entries keep arriving (`poll` mode, and the `auto` fallback), in ms. @default 25 */
  readonly pollMinMs?: number;
  /** Poll interval an idle poller backs off to (doubling from `pollMinMs`), in ms. @default 1000 */
  readonly pollMaxMs?: number;
  /** Entries per topic per poll when a read gives no `count`. @default 100 */
  readonly defaultReadCount?: number;
  /** Retry policy for network failures and 5xx answers. @default { retries: 3, baseDelayMs: 50, maxDelayMs: 1000 } */
  readonly retry?: UpstashRetryPolicy;
  /** Abort one HTTP request after this many ms (counts as a network failure). @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Prefix of each topic's idempotency record key (same layout as the ioredis backend). @default "taskstream:producers:" */
  readonly producersKeyPrefix?: string;
  /** `fetch` to send requests with (tests, proxies). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Options with every default applied. */
export interface ResolvedUpstashOptions {
  readonly url: string | undefined;
  readonly token: string | undefined;
  readonly client: Redis | undefined;
  readonly readMode: UpstashReadMode;
  readonly blockMs: number;
  readonly heldRequestTimeoutMs: number;
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  readonly defaultReadCount: number;
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly requestTimeoutMs: number;
  readonly producersKeyPrefix: string;
}

function int(name: string, value: number | undefined, fallback: number, min: number): number {
  return requireNonNegativeInteger(name, value ?? fallback, min);
}

/** Applies defaults and validates; `INVALID_CONFIG` names the missing or bad setting (never its secret value). */
export function resolveUpstashOptions(options: UpstashRepositoryOptions): ResolvedUpstashOptions {
  const env = options.env ?? process.env;
  const client = options.client;
  const url = options.url ?? env['UPSTASH_REDIS_REST_URL'];
  const token = options.token ?? env['UPSTASH_REDIS_REST_TOKEN'];
  if (client === undefined) {
    if (!url) throw new TaskStreamError('INVALID_CONFIG', 'UPSTASH_REDIS_REST_URL is not set (or pass `url` or `client`)', { details: { variable: 'UPSTASH_REDIS_REST_URL' } });
    if (!/^https?:\/\/\S+$/.test(url)) {
      throw new TaskStreamError('INVALID_CONFIG', 'UPSTASH_REDIS_REST_URL must be an http(s) URL', { details: { variable: 'UPSTASH_REDIS_REST_URL' } });
    }
    if (!token) throw new TaskStreamError('INVALID_CONFIG', 'UPSTASH_REDIS_REST_TOKEN is not set (or pass `token` or `client`)', { details: { variable: 'UPSTASH_REDIS_REST_TOKEN' } });
  }
  const pollMinMs = int('pollMinMs', options.pollMinMs, 25, 1);
  const pollMaxMs = int('pollMaxMs', options.pollMaxMs, 1_000, pollMinMs);
  const retryBaseMs = int('retry.baseDelayMs', options.retry?.baseDelayMs, 50, 1);
  const readMode = options.readMode ?? 'auto';
  if (readMode !== 'auto' && readMode !== 'block' && readMode !== 'poll') {
    throw new TaskStreamError('INVALID_CONFIG', `readMode must be 'auto', 'block' or 'poll', got ${String(readMode)}`, { details: { variable: 'readMode', value: String(readMode) } });
  }
  const blockMs = int('blockMs', options.blockMs, 10_000, 1);
  const heldRequestTimeoutMs = int('heldRequestTimeoutMs', options.heldRequestTimeoutMs, blockMs + 5_000, 1);
  if (heldRequestTimeoutMs <= blockMs) {
    throw new TaskStreamError('INVALID_CONFIG', `heldRequestTimeoutMs (${heldRequestTimeoutMs}) must exceed blockMs (${blockMs})`, {
      details: { variable: 'heldRequestTimeoutMs', value: heldRequestTimeoutMs },
    });
  }
  return {
    readMode,
    blockMs,
    heldRequestTimeoutMs,
    url: client === undefined ? url!.replace(/\/+$/, '') : undefined,
    token: client === undefined ? token : undefined,
    client,
    pollMinMs,
    pollMaxMs,
    defaultReadCount: int('defaultReadCount', options.defaultReadCount, 100, 1),
    retries: int('retry.retries', options.retry?.retries, 3, 0),
    retryBaseMs,
    retryMaxMs: int('retry.maxDelayMs', options.retry?.maxDelayMs, 1_000, retryBaseMs),
    requestTimeoutMs: int('requestTimeoutMs', options.requestTimeoutMs, 10_000, 1),
    producersKeyPrefix: options.producersKeyPrefix ?? 'taskstream:producers:',
  };
}
