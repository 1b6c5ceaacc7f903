import { systemClock } from './adapters/clock/system-clock.js';
import { consoleLogger } from './adapters/logger/console-logger.js';
import { createDomainPublisher, type Publisher, type PublisherOptions } from './domain/publisher/index.js';
import { createDomainSubscriber, type Subscriber, type SubscriberOptions } from './domain/subscriber/index.js';

/** Makes `clock` and `logger` optional: the domain takes both injected, the package entry fills them in. */
type WithDefaults<T extends { clock: unknown; logger: unknown }> = Omit<T, 'clock' | 'logger'> & Partial<Pick<T, 'clock' | 'logger'>>;

/**
 * Creates a publisher. See the publisher module for the coalescing modes, terminal ordering and
 * failure rules.
 * @param options.clock `systemClock` unless given (pass a `FakeClock` in tests).
 * @param options.logger `consoleLogger` unless given: retries and failures are warned about on the console.
 */
export function createPublisher(options: WithDefaults<PublisherOptions>): Publisher {
  return createDomainPublisher({ ...options, clock: options.clock ?? systemClock, logger: options.logger ?? consoleLogger });
}

/**
 * Creates a subscriber: `subscriber.open(taskId, { lastEventId, signal })` yields `{ id, event }`.
 * @param options.clock `systemClock` unless given (pass a `FakeClock` in tests).
 * @param options.logger `consoleLogger` unless given: retried reads are warned about on the console.
 */
export function createSubscriber(options: WithDefaults<SubscriberOptions>): Subscriber {
  return createDomainSubscriber({ ...options, clock: options.clock ?? systemClock, logger: options.logger ?? consoleLogger });
}
