import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StreamRepository } from '../../ports/stream-repository.js';
import type { EventCodec } from '../codec/event-codec.js';
import type { SubscriberTuning } from './options.js';

/** What a subscription needs from its subscriber. */
export interface SubscriptionDeps {
  readonly repository: StreamRepository;
  readonly codec: EventCodec;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What one subscription was asked for, validated. */
export interface SubscriptionPlan {
  readonly taskId: string;
  readonly topic: string;
  readonly lastEventId: string | null | undefined;
  readonly signal: AbortSignal | undefined;
  readonly tuning: SubscriberTuning;
  readonly untilTerminal: boolean;
  /** Items to yield at most (a `gap` item counts); `Infinity` for no limit. */
  readonly limit: number;
  /** The last seq per message key the reader already holds (`SubscribeOptions.knownSeqs`). */
  readonly knownSeqs: Readonly<Record<string, number>>;
  /** The `maxLen` streams are published with (0: unknown or untrimmed); a hint for the trimming check. */
  readonly maxLenHint: number;
}
