import { systemClock } from './adapters/clock/system-clock.js';
import { createDomainPublisher, type Publisher, type PublisherOptions } from './domain/publisher/index.js';
import { createDomainSubscriber, type Subscriber, type SubscriberOptions } from './domain/subscriber/index.js';

/** Makes `clock` optional: the domain never reads ambient time, so the package entry fills it in. */
type WithOptionalClock<T extends { clock: unknown }> = Omit<T, 'clock'> & Partial<Pick<T, 'clock'>>;

/**
 * Creates a publisher. See the publisher module for the coalescing modes, terminal ordering and
 * failure rules.
 * @param options.clock `systemClock` unless given (pass a `FakeClock` in tests).
 */
export function createPublisher(options: WithOptionalClock<PublisherOptions>): Publisher {
  return createDomainPublisher({ ...options, clock: options.clock ?? systemClock });
}

/**
 * Creates a subscriber: `subscriber.open(taskId, { lastEventId, signal })` yields `{ id, event }`.
 * @param options.clock `systemClock` unless given (pass a `FakeClock` in tests).
 */
export function createSubscriber(options: WithOptionalClock<SubscriberOptions>): Subscriber {
  return createDomainSubscriber({ ...options, clock: options.clock ?? systemClock });
}
