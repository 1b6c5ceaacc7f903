import type { Subscriber } from '../../domain/subscriber/index.js';
import { ZERO_ID } from '../../domain/stream-id.js';
import { isSseSource, type SseSource } from './sse-source.js';

/** What the SSE handler streams from: the domain {@link Subscriber} or any {@link SseSource}. */
export type SubscriberLike = Pick<Subscriber, 'open'> | SseSource;

/**
 * Adapts the domain subscriber: its subscription is the SSE subscription as it is (its `ready`
 * is the start; it parses the resume point). `from: "start"` without a resume point reads after
 * `0-0`, so the whole retained history is replayed; when the stream was trimmed the subscriber
 * reports that as a leading `gap` item. The subscriber does not retry (`maxRetries: 0`): the
 * handler's own loop does, with a backoff that keeps growing while the failure lasts.
 */
export function toSseSource(subscriber: SubscriberLike): SseSource {
  if (isSseSource(subscriber)) return subscriber;
  return {
    kind: 'sse-source',
    open(request) {
      const lastEventId = request.lastEventId ?? (request.from === 'start' ? ZERO_ID : undefined);
      const subscription = subscriber.open(request.taskId, {
        ...(lastEventId !== undefined ? { lastEventId } : {}),
        signal: request.signal,
        untilTerminal: request.untilTerminal,
        maxRetries: 0,
      });
      return { ready: subscription.ready, items: subscription };
    },
  };
}
