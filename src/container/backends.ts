import { TaskStreamError } from '../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { StreamRepository } from '../ports/stream-repository.js';
import type { BackendConfig } from './config.js';

/** Makes the repository of one backend. Loaded lazily: the memory path never loads ioredis or @upstash/redis. */
export type RepositoryFactory = () => StreamRepository;

/** Imports the adapter a backend needs and returns a factory for its repository. */
export async function loadRepositoryFactory(backend: BackendConfig, clock: Clock, logger: Logger): Promise<RepositoryFactory> {
  switch (backend.kind) {
    case 'memory': {
      const { createMemoryRepository } = await import('../adapters/memory/index.js');
      return () => createMemoryRepository({ clock, logger });
    }
    case 'redis': {
      const { createIoredisRepository } = await importAdapter('redis', 'ioredis', () => import('../adapters/ioredis/index.js'));
      return () => createIoredisRepository({ url: backend.url, clock, logger });
    }
    case 'upstash': {
      const { createUpstashRepository } = await importAdapter('upstash', '@upstash/redis', () => import('../adapters/upstash/index.js'));
      return () => createUpstashRepository({ url: backend.url, token: backend.token, clock, logger });
    }
  }
}

/** Imports an adapter whose client library is an optional peer dependency; its absence is INVALID_CONFIG naming the package. */
async function importAdapter<T>(kind: string, peer: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (!isMissingPackage(err, peer)) throw err;
    throw new TaskStreamError('INVALID_CONFIG', `backend "${kind}" needs the package ${peer}, an optional peer dependency of taskstream: npm install ${peer}`, {
      cause: err,
      details: { variable: 'backend', value: kind, package: peer },
    });
  }
}

function isMissingPackage(err: unknown, peer: string): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && e.message.includes(`'${peer}'`)) return true;
  }
  return false;
}
