/**
 * taskstream: LLM-agent task events through Redis Streams to any number of readers, with no
 * dropped delta, exactly one Done per message, bounded memory and zero CPU when idle.
 *
 * This entry holds the domain (events, the agentex codec, stream ids, publisher, subscriber), the
 * ports, the in-memory backend and the clocks. Backends and the delivery edge have their own
 * entries: `taskstream/adapters/ioredis`, `taskstream/adapters/upstash`, `taskstream/adapters/http`
 * (SSE), `taskstream/container` (inversify) and `taskstream/conformance` (the backend test suite).
 * Every name is listed here on purpose; test/architecture/package-exports.test.ts holds the list.
 */
export { TaskStreamError, type TaskStreamErrorCode, type TaskStreamErrorDetails, type TaskStreamErrorOptions } from './domain/errors.js';
export { REDACTED, redactSecrets, redactUrl, urlSecrets } from './domain/redaction.js';
export {
  TERMINAL_TASK_STATUSES,
  isMessageEvent,
  type DecodeErrorEvent,
  type DeltaEvent,
  type DoneEvent,
  type ExtraFields,
  type FullEvent,
  type GapEvent,
  type MessageAuthor,
  type MessageContent,
  type MessageDelta,
  type MessageDeltaType,
  type MessageEvent,
  type ResetGapEvent,
  type SeqGapEvent,
  type StartEvent,
  type SubscriptionItem,
  type TaskErrorEvent,
  type TaskEvent,
  type TaskUpdatedEvent,
  type TrimmedGapEvent,
} from './domain/events.js';
export { messageKeyOf } from './domain/message-key.js';
export {
  ZERO_ID,
  compareStreamIds,
  formatStreamId,
  isStreamId,
  maxStreamId,
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
export { agentexCodec } from './domain/codec/agentex-codec.js';
export type { EventCodec } from './domain/codec/event-codec.js';
export { checkResumePoint, parseResumePoint, type ResumeCheck } from './domain/cursor.js';
export {
  DEFAULT_RETRY_POLICY,
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
export type {
  AppendIdempotency,
  AppendRequest,
  AppendResult,
  EntryFields,
  ReadOptions,
  StreamEntry,
  StreamInfo,
  StreamRepository,
  StreamRepositoryCapabilities,
  TopicCursor,
  TopicEntries,
} from './ports/stream-repository.js';
export type { Clock, TimerHandle } from './ports/clock.js';
export type { LogFields, Logger } from './ports/logger.js';
export { FakeClock, flushMicrotasks, systemClock } from './adapters/clock/index.js';
export { MemoryStreamRepository, createMemoryRepository, type MemoryRepositoryOptions } from './adapters/memory/index.js';
