import type { ServiceIdentifier } from 'inversify';
import type { EventCodec } from '../domain/codec/event-codec.js';
import type { StreamSettings } from '../domain/config.js';
import type { Publisher } from '../domain/publisher/index.js';
import type { Subscriber } from '../domain/subscriber/index.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { StreamRepository } from '../ports/stream-repository.js';
import type { SseOptions } from '../adapters/http/sse-options.js';
import type { TaskStreamConfig } from './config.js';

/** Service identifiers of the taskstream container. Bind your own classes next to them. */
export const TYPES = {
  Config: Symbol.for('taskstream.Config') as ServiceIdentifier<TaskStreamConfig>,
  Settings: Symbol.for('taskstream.Settings') as ServiceIdentifier<StreamSettings>,
  Clock: Symbol.for('taskstream.Clock') as ServiceIdentifier<Clock>,
  Logger: Symbol.for('taskstream.Logger') as ServiceIdentifier<Logger>,
  Codec: Symbol.for('taskstream.Codec') as ServiceIdentifier<EventCodec>,
  StreamRepository: Symbol.for('taskstream.StreamRepository') as ServiceIdentifier<StreamRepository>,
  Publisher: Symbol.for('taskstream.Publisher') as ServiceIdentifier<Publisher>,
  Subscriber: Symbol.for('taskstream.Subscriber') as ServiceIdentifier<Subscriber>,
  SseOptions: Symbol.for('taskstream.SseOptions') as ServiceIdentifier<SseOptions>,
} as const;
