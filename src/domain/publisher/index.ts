export { createPublisher, type Publisher, type PublisherOptions, type OpenOptions } from './publisher.js';
export type { MessageContext, MessageState } from './message-context.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './publish-queue.js';
export { codePointLength, canMerge, mergeDeltas } from './delta-merge.js';
