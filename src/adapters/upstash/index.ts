import { systemClock } from '../clock/system-clock.js';
import { consoleLogger } from '../logger/console-logger.js';
import { resolveUpstashOptions, type UpstashRepositoryOptions } from './options.js';
import { UpstashRepository } from './repository.js';
import { createFetchRequester } from './rest-requester.js';
import { RestClient, requesterOf } from './rest-client.js';

export type { UpstashReadMode, UpstashRepositoryOptions, UpstashRetryPolicy } from './options.js';
export { UpstashRepository } from './repository.js';
export type { ReadPollerStats } from './read-poller.js';
export type { HeldReaderStats } from './held-reader.js';

/**
 * A {@link UpstashRepository}: the `StreamRepository` port over the Upstash REST API, on
 * `@upstash/redis`. Configured from `UPSTASH_REDIS_REST_URL` / `UPSTASH_REDIS_REST_TOKEN`, from
 * `url`/`token`, or from an existing `Redis` client. Throws `INVALID_CONFIG` when neither is given.
 *
 * @example
 * ```ts
 * const repository = createUpstashRepository(); // reads UPSTASH_REDIS_REST_URL / _TOKEN
 * ```
 */
export function createUpstashRepository(options: UpstashRepositoryOptions = {}): UpstashRepository {
  const resolved = resolveUpstashOptions(options);
  const requester =
    resolved.client !== undefined
      ? requesterOf(resolved.client)
      : createFetchRequester({
          url: resolved.url!,
          token: resolved.token!,
          timeoutMs: resolved.requestTimeoutMs,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const client = new RestClient(requester, {
    clock,
    logger,
    retries: resolved.retries,
    retryBaseMs: resolved.retryBaseMs,
    retryMaxMs: resolved.retryMaxMs,
    // A user's client holds its token in its requester's Authorization header.
    secret: resolved.token ?? /^Bearer (.+)$/.exec(String((requester as { headers?: { authorization?: unknown } }).headers?.authorization ?? ''))?.[1],
  });
  return new UpstashRepository(client, resolved, clock, logger);
}
