/**
 * taskstream: LLM-agent task events through Redis Streams to any number of readers, with no
 * dropped delta, exactly one Done per message, bounded memory and zero CPU when idle.
 *
 * This entry holds the domain (events, codec, ids, publisher, subscriber), the ports, the
 * in-memory backend and the clocks. Backends and the delivery edge have their own entries:
 * `taskstream/adapters/ioredis`, `taskstream/adapters/upstash`, `taskstream/adapters/http` (SSE),
 * `taskstream/container` (inversify) and `taskstream/conformance` (the backend test suite).
 */
export { TaskStreamError, type TaskStreamErrorCode, type TaskStreamErrorDetails, type TaskStreamErrorOptions } from './domain/errors.js';
export { REDACTED, redactSecrets, redactUrl, urlSecrets } from './domain/redaction.js';
export * from './domain/events.js';
export { messageKeyOf } from './domain/message-key.js';
export {
  ZERO_ID,
  compareStreamIds,
  formatStreamId,
  isStreamId,
  maxStreamId,
  nextStreamId,
  previousStreamId,
  parseStreamId,
  type ParsedStreamId,
  type StreamId,
} from './domain/stream-id.js';
export {
  DEFAULT_SETTINGS,
  SETTINGS_ENV,
  resolveSettings,
  settingsFromEnv,
  topicFor,
  validateSettings,
  type CoalesceMode,
  type StreamSettings,
} from './domain/config.js';
export * from './domain/codec/index.js';
export { Cursor, checkResumePoint, parseResumePoint, type ResumeCheck } from './domain/cursor.js';
export {
  DEFAULT_RETRY_POLICY,
  canMerge,
  codePointLength,
  mergeDeltas,
  type MessageContext,
  type MessageState,
  type OpenOptions,
  type Publisher,
  type PublisherOptions,
  type RetryPolicy,
} from './domain/publisher/index.js';
export {
  DEFAULT_SUBSCRIBER_TUNING,
  type SubscribeOptions,
  type Subscriber,
  type SubscriberOptions,
  type SubscriberTuning,
  type Subscription,
  type SubscriptionStart,
} from './domain/subscriber/index.js';
export { createPublisher, createSubscriber } from './defaults.js';
export type * from './ports/index.js';
export { FakeClock, flushMicrotasks, systemClock } from './adapters/clock/index.js';
export { MemoryStreamRepository, createMemoryRepository, type MemoryRepositoryOptions } from './adapters/memory/index.js';
