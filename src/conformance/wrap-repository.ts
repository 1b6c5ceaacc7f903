import type { StreamRepository } from '../ports/stream-repository.js';

/**
 * A repository that forwards every call to `inner` except those in `overrides`: how tests count,
 * delay or deliberately break a backend (the conformance suite's own teeth are built this way).
 */
export function wrapRepository(inner: StreamRepository, overrides: Partial<StreamRepository>): StreamRepository {
  return {
    capabilities: inner.capabilities,
    append: (request) => inner.append(request),
    read: (topic, afterId, options) => inner.read(topic, afterId, options),
    tailId: (topic) => inner.tailId(topic),
    info: (topic) => inner.info(topic),
    deleteTopic: (topic) => inner.deleteTopic(topic),
    close: () => inner.close(),
    ...overrides,
  };
}
