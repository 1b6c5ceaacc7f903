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
      const { createIoredisRepository } = await import('../adapters/ioredis/index.js');
      return () => createIoredisRepository({ url: backend.url, clock, logger });
    }
    case 'upstash': {
      const { createUpstashRepository } = await import('../adapters/upstash/index.js');
      return () => createUpstashRepository({ url: backend.url, token: backend.token, clock, logger });
    }
  }
}
