import type { Cluster, Redis } from 'ioredis';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { StreamRepository } from '../ports/stream-repository.js';
import { configFromEnv, BACKEND_ENV } from '../container/config.js';
import { loadRepositoryFactory } from '../container/backends.js';

/** True for anything shaped like the port (duck-typed: repositories from other copies of taskstream count). */
export function isStreamRepository(value: unknown): value is StreamRepository {
  const v = value as Partial<StreamRepository> | null;
  return typeof v === 'object' && v !== null && typeof v.append === 'function' && typeof v.read === 'function' && typeof v.tailId === 'function' && typeof v.capabilities === 'object';
}

function isIoredisClient(value: unknown): value is Redis | Cluster {
  const v = value as { xadd?: unknown; evalsha?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.xadd === 'function' && typeof v.evalsha === 'function';
}

/**
 * Process-wide backends, shared by every context: contexts are often made per request (as in the
 * AI SDK guide), and sharing keeps one multiplexed reader connection per process.
 */
let wrappedClients = new WeakMap<object, Promise<StreamRepository>>();
const fromEnv = new Map<string, Promise<StreamRepository>>();
let opened: Promise<StreamRepository>[] = [];

/**
 * The repository a context uses: the option as given, an ioredis client wrapped once per client,
 * or the environment's backend (loaded lazily, so the memory path never loads a Redis client).
 */
export function resolveRepository(option: StreamRepository | Redis | Cluster | undefined, clock: Clock, logger: Logger, env: Readonly<Record<string, string | undefined>> = process.env): Promise<StreamRepository> {
  if (option !== undefined && isStreamRepository(option)) return Promise.resolve(option);
  if (option !== undefined) {
    if (!isIoredisClient(option)) {
      return Promise.reject(new TypeError('repository must be a StreamRepository or an ioredis Redis/Cluster client'));
    }
    let repo = wrappedClients.get(option);
    if (repo === undefined) {
      repo = import('../adapters/ioredis/index.js').then(({ createIoredisRepository }) => createIoredisRepository({ client: option, clock, logger }));
      wrappedClients.set(option, repo);
      opened.push(repo);
    }
    return repo;
  }
  let config;
  try {
    config = configFromEnv(env);
  } catch (err) {
    return Promise.reject(err);
  }
  const key = JSON.stringify(config.backend);
  let repo = fromEnv.get(key);
  if (repo === undefined) {
    if (config.backend.kind === 'memory' && env[BACKEND_ENV.redisUrl]) {
      logger.warn(`taskstream/resumable-stream: ${BACKEND_ENV.redisUrl} is set but ${BACKEND_ENV.backend} is not "redis"; streams stay in this process's memory`, {});
    }
    repo = loadRepositoryFactory(config.backend, clock, logger).then((factory) => factory());
    fromEnv.set(key, repo);
    opened.push(repo);
  }
  return repo;
}

/** Closes the repositories this module opened (environment backends and ioredis wrappers made so far); for shutdown and tests. */
export async function closeSharedRepositories(): Promise<void> {
  const closing = opened;
  opened = [];
  fromEnv.clear();
  wrappedClients = new WeakMap();
  await Promise.allSettled(closing.map(async (repo) => (await repo).close()));
}
