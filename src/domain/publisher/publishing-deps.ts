import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StreamRepository } from '../../ports/stream-repository.js';
import type { EventCodec } from '../codec/event-codec.js';
import type { StreamSettings } from '../config.js';
import type { TaskStreamError } from '../errors.js';
import type { RetryPolicy } from './publish-queue.js';

/** What every appender of one publisher shares (message contexts and the task event writer). */
export interface PublishingDeps {
  readonly repository: StreamRepository;
  readonly codec: EventCodec;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: StreamSettings;
  readonly retry: RetryPolicy;
  readonly maxBatchEntries: number;
  readonly onError: (error: TaskStreamError) => void;
}
