export { createDomainSubscriber, type Subscriber, type SubscriberOptions } from './subscriber.js';
export type { Subscription } from './subscription.js';
export { DEFAULT_SUBSCRIBER_TUNING, type SubscribeOptions, type SubscriberTuning } from './options.js';
export type { SubscriptionStart } from './start-point.js';
