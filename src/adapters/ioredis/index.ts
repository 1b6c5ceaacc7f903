import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { requireNonNegativeInteger } from '../../domain/config.js';
import { systemClock } from '../clock/system-clock.js';
import { resolveConnection, type IoredisConnectionOptions } from './connection.js';
import { IoredisRepository } from './repository.js';

export type { IoredisConnectionOptions } from './connection.js';
export { IoredisRepository } from './repository.js';
export { producersKeyFor, slotOf, hashTagOf } from './keys.js';
export { APPEND_LUA } from './append-script.js';

/** Options of {@link createIoredisRepository}. */
export interface IoredisRepositoryOptions extends IoredisConnectionOptions {
  /** Where failed TTL refreshes and reader reconnects are reported. @default warnings and errors to console */
  readonly logger?: Logger;
  /** Clock for read timeouts and retry back-off. @default systemClock */
  readonly clock?: Clock;
  /** Prefix of each topic's idempotency hash (`<prefix>{<topic>}`). @default "taskstream:producers:" */
  readonly producersKeyPrefix?: string;
  /** Entries per topic a read returns when the caller gives no `count`. @default 100 */
  readonly defaultReadCount?: number;
  /** Longest single server-side `XREAD BLOCK` of the multiplexed reader, in ms. @default 5000 */
  readonly maxBlockMs?: number;
  /** Redis Cluster only: with blocking reads on several slots of one node, how long each polling round blocks, in ms. @default 20 */
  readonly clusterPollMs?: number;
}

const consoleLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, fields) => console.warn(message, fields ?? {}),
  error: (message, fields) => console.error(message, fields ?? {}),
};

/**
 * A {@link StreamRepository} on ioredis (Redis 7+ or Redis Cluster). Appends are one `EVALSHA`
 * each (entries, `MAXLEN ~`, idempotency, sliding TTL); blocking reads of the whole process
 * share one dedicated connection per server (per master on a cluster). Connections it opens are
 * closed by `close()`; a client passed as `client` is left open.
 *
 * @example
 * const repo = createIoredisRepository({ url: 'redis://127.0.0.1:6379' });
 */
export function createIoredisRepository(options: IoredisRepositoryOptions = {}): IoredisRepository {
  const defaultReadCount = requireNonNegativeInteger('defaultReadCount', options.defaultReadCount ?? 100, 1);
  const maxBlockMs = requireNonNegativeInteger('maxBlockMs', options.maxBlockMs ?? 5_000, 1);
  const clusterPollMs = requireNonNegativeInteger('clusterPollMs', options.clusterPollMs ?? 20, 1);
  const producersKeyPrefix = options.producersKeyPrefix ?? 'taskstream:producers:';
  const connection = resolveConnection(options);
  return new IoredisRepository(connection, {
    clock: options.clock ?? systemClock,
    logger: options.logger ?? consoleLogger,
    producersKeyPrefix,
    defaultReadCount,
    maxBlockMs,
    clusterPollMs,
  });
}
