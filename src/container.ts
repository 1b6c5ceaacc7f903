/**
 * The composition root: an inversify 8 container that binds the `StreamRepository` port to the
 * memory, Redis (ioredis) or Upstash backend from configuration. The plain factories
 * (`createMemoryRepository`, `createPublisher`, `createSubscriber`, …) stay available for code
 * that does not want a container.
 */
export { createContainer, type ContainerOptions, type TaskStreamContainer } from './container/create.js';
export { BACKEND_ENV, configFromEnv, validateConfig, type BackendConfig, type BackendKind, type TaskStreamConfig } from './container/config.js';
export { SseEndpoint } from './container/sse-endpoint.js';
export { TYPES } from './container/tokens.js';
