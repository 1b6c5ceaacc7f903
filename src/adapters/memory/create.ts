import { MemoryStreamRepository } from './memory-repository.js';
import { resolveMemoryOptions } from './options.js';
import type { MemoryRepositoryOptions } from './options.js';

/**
 * Creates an in-memory {@link MemoryStreamRepository}. It holds no timer while no read is
 * blocked, so an idle instance costs nothing; `close()` wakes blocked reads and drops all data.
 * @throws TaskStreamError `INVALID_CONFIG` for a negative or fractional limit.
 */
export function createMemoryRepository(options: MemoryRepositoryOptions = {}): MemoryStreamRepository {
  return new MemoryStreamRepository(resolveMemoryOptions(options));
}
