import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StreamRepository } from '../../ports/stream-repository.js';
import { agentexCodec } from '../codec/agentex-codec.js';
import type { EventCodec } from '../codec/event-codec.js';
import { resolveSettings, topicFor, type StreamSettings } from '../config.js';
import { DEFAULT_SUBSCRIBER_TUNING, resolveTuning, validateKnownSeqs, validateLimit, type SubscribeOptions, type SubscriberTuning } from './options.js';
import { StreamSubscription, type Subscription } from './subscription.js';

/** What {@link createDomainSubscriber} needs. */
export interface SubscriberOptions {
  /** The backend to read from. */
  readonly repository: StreamRepository;
  /** Turns entries back into events. @default agentexCodec (agentex's wire format) */
  readonly codec?: EventCodec;
  /** Time for poll intervals and retry backoff (`systemClock` in production, `FakeClock` in tests). */
  readonly clock: Clock;
  /** Where retried backend failures are reported. `createSubscriber` passes `consoleLogger` unless given one. */
  readonly logger: Logger;
  /**
   * Stream settings: `keyPrefix` names the streams; `maxLen` tunes when the trimming check runs
   * (a read returning at least `min(count, maxLen)` entries). Give the `maxLen` the streams are
   * really published with, or 0 when unknown: a value larger than the publisher's, when the
   * publisher's is below the read `count` (100 by default), lets a reader that falls behind lose
   * trimmed entries without a `gap` item.
   * @default DEFAULT_SETTINGS
   */
  readonly settings?: Partial<StreamSettings>;
  /** Timing and retry defaults for every subscription. @default DEFAULT_SUBSCRIBER_TUNING */
  readonly tuning?: Partial<SubscriberTuning>;
}

/** Reads task streams. Stateless between subscriptions; one subscriber serves any number of them. */
export interface Subscriber {
  /**
   * Opens a subscription: it starts fixing its start point at once (tail snapshot or resume
   * check); await `subscription.ready` before announcing the connection, then iterate it.
   * Throws `INVALID_ARGUMENT` for a bad task id or limit, `INVALID_CONFIG` for bad timings.
   */
  open(taskId: string, options?: SubscribeOptions): Subscription;
}

/**
 * Creates a subscriber on the given clock (callers use the package's `createSubscriber`, in
 * src/defaults.ts, which defaults the clock). Each subscription yields `{ id, event }` items: task events, `decode_error`
 * items for entries the codec cannot read (reading goes on), and a leading `gap` item when a
 * resume point's successors were trimmed. A reader that falls so far behind that trimming overtakes
 * it gets a `gap` item too, before the entries that follow the hole: whenever a read returns a
 * full page (the reader is behind), the subscriber asks `info()` whether its cursor was trimmed.
 * Beyond trimming, a `gap` item with `reason: "reset"` says the resume point (or the cursor after a
 * reconnect) is not an entry of the stream as it is now (the stream was lost and written again),
 * and one with `reason: "seq"` names the sequence numbers missing from a message, just before the
 * entry that revealed them (docs/architecture.md, "Gaps").
 *
 * Reads block server-side where the backend can (`blockMs`), otherwise poll with an interval that
 * is `pollMinMs` right after entries and doubles up to `pollMaxMs` while idle. Transient backend
 * failures are retried `maxRetries` times with capped exponential backoff (`retryBaseMs` doubling
 * up to `retryMaxMs`, on the clock) and then thrown from the iterator; `BACKEND_AUTH`,
 * `BACKEND_COMMAND` and `CLOSED` are thrown at once. Stopping (abort signal, `break`, `close()`)
 * ends the pending read and never deletes the stream.
 */
export function createDomainSubscriber(options: SubscriberOptions): Subscriber {
  const settings = resolveSettings(options.settings);
  const baseTuning = resolveTuning(DEFAULT_SUBSCRIBER_TUNING, options.tuning ?? {});
  const deps = { repository: options.repository, codec: options.codec ?? agentexCodec, clock: options.clock, logger: options.logger };

  const open = (taskId: string, subscribeOptions: SubscribeOptions = {}): Subscription => {
    const topic = topicFor(taskId, settings.keyPrefix);
    const tuning = resolveTuning(baseTuning, {
      blockMs: subscribeOptions.blockMs,
      count: subscribeOptions.count,
      pollMinMs: subscribeOptions.pollMinMs,
      pollMaxMs: subscribeOptions.pollMaxMs,
      maxRetries: subscribeOptions.maxRetries,
    } as Partial<SubscriberTuning>);
    return new StreamSubscription(deps, {
      taskId,
      topic,
      lastEventId: subscribeOptions.lastEventId,
      signal: subscribeOptions.signal,
      tuning,
      untilTerminal: subscribeOptions.untilTerminal ?? false,
      limit: validateLimit(subscribeOptions.limit),
      knownSeqs: validateKnownSeqs(subscribeOptions.knownSeqs),
      maxLenHint: settings.maxLen,
    });
  };

  return { open };
}
