import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { requireNonNegativeInteger } from '../../domain/validation.js';
import { systemClock } from '../clock/system-clock.js';
import { consoleLogger } from '../logger/console-logger.js';
import { resolveConnection, type IoredisConnectionOptions } from './connection.js';
import { IoredisRepository } from './repository.js';
import { MAX_APPENDS_PER_CALL } from './append-batcher.js';

export type { IoredisConnectionOptions } from './connection.js';
export { IoredisRepository } from './repository.js';

/** Options of {@link createIoredisRepository}. */
export interface IoredisRepositoryOptions extends IoredisConnectionOptions {
  /** Where failed TTL refreshes and reader reconnects are reported. @default consoleLogger (warnings and errors to the console) */
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
  /**
   * Appends issued together, to any topics, share one script call (up to 64 appends per call,
   * each still atomic and failing alone). While no call waits for its reply, an append leaves
   * once the current microtasks have run (the appends of one synchronous burst share it); while
   * one does, appends wait for the end of the event-loop turn and the turn's appends share calls.
   * So a quiet process adds no delay and a busy one sends a call per turn, not per append.
   * `false`: one script call per append. A Redis Cluster always sends one call per append (the
   * keys of one call must share a hash slot).
   * @default true
   */
  readonly batchAppends?: boolean;
}


/**
 * A {@link StreamRepository} on ioredis (Redis 7+ or Redis Cluster).
 *
 * - **Append**: one script run per batch, no MULTI/EXEC: the idempotency check against
 *   `taskstream:producers:{<topic>}` (same hash slot as the topic), one
 *   `XADD ... MAXLEN ~ max(maxLen, batch)` per entry, the producer's new sequence, and `EXPIRE` on
 *   both keys (none when `ttlSeconds` is 0, skipped while the last renewal is fresh within
 *   min(1 s, ttl/10), port rule 6). A failing `EXPIRE` is caught in the script and logged as a
 *   warning: the entries are written, so the caller must not retry. Each connection (each
 *   cluster node, each new socket after a reconnect) gets the script as `EVAL` with its first
 *   append and `EVALSHA` after that: no `NOSCRIPT` round trips. Connections the repository opens
 *   use ioredis auto-pipelining, so appends of many topics issued in one tick leave in one socket
 *   write per node; give a client you pass in `enableAutoPipelining: true` for the same effect.
 *   On a single Redis (not a cluster) the appends issued in one tick, to any topics, also share
 *   script calls (`batchAppends`, up to 64 appends per call): each append keeps its own
 *   atomicity, result and error (a failing append rejects alone), and appends to one topic run
 *   in the order they were issued.
 * - **Reads**: non-blocking reads use the command connection (`XRANGE`, `XREAD` without `BLOCK`);
 *   blocking reads never do. They register as waiters with the process's multiplexed reader
 *   (one dedicated connection per server, per master on a cluster), which serves all of them with
 *   one `XREAD BLOCK` per round and re-issues it (after `CLIENT UNBLOCK`) when a waiter needs a
 *   topic or cursor the round does not cover. Each port-level `read`/`readMany` with `blockMs` is
 *   one waiter holding its own cursors: it gets at most `count` entries after them, the rest stays
 *   in the stream for its next read, so a slow caller never holds up the others and loses nothing.
 *   Share one repository per process to get one reader connection.
 * - **Cluster**: one `XREAD` cannot span hash slots, so a node's round with waiters on several
 *   slots polls all but one slot without blocking and blocks `clusterPollMs` on the last.
 * - **Connections**: `close()` waits for the appends it already accepted, then closes what the
 *   repository opened (the command connection unless it was passed as `client`, and always its
 *   dedicated reader connections). Reconnects are ioredis's; an interrupted blocking read is re-sent from the same cursors. A client passed in
 *   must not use ioredis's own `keyPrefix` option (replies would name prefixed keys).
 * - **Errors**: `TaskStreamError` with `BACKEND_UNAVAILABLE`, `BACKEND_AUTH`, `BACKEND_COMMAND`
 *   or `CLOSED`, the ioredis error as `cause`; bad input is `INVALID_ARGUMENT`/`INVALID_STREAM_ID`.
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
    appendBatch: options.batchAppends === false ? undefined : { maxAppends: MAX_APPENDS_PER_CALL, flush: 'adaptive' },
  });
}
