import type { SubscriptionItem } from '../../domain/events.js';
import type { SubscriptionStart } from '../../domain/subscriber/index.js';
import type { SseStartPosition } from './sse-options.js';

/** What the SSE handler asks of a subscription. */
export interface SseSubscribeRequest {
  readonly taskId: string;
  /**
   * The client's resume point as sent (trimmed, never empty); absent: start at {@link from}.
   * The source checks it (once): `ready` rejects with `INVALID_RESUME_POINT` when it is malformed.
   */
  readonly lastEventId?: string;
  /** Start position when there is no resume point. */
  readonly from: SseStartPosition;
  /** Stop after a terminal `task_updated`. */
  readonly untilTerminal: boolean;
  /** Aborted when the client goes away: the reader must stop at once. */
  readonly signal: AbortSignal;
}

/** Where an SSE subscription starts: the subscriber's own {@link SubscriptionStart}, or that much of it. */
export type SseStart = Pick<SubscriptionStart, 'startId' | 'ended'>;

/** An open subscription: its start and its items. */
export interface SseSubscription {
  /**
   * Resolves once the start is fixed (`startId`: the tail snapshot, the resume point, or `0-0`;
   * `ended`: the task already ended at the resume point, so the handler answers 204). Rejects
   * with `INVALID_RESUME_POINT` for a resume point the stream cannot honour, with a backend
   * error, or with `ABORTED`. The handler retries backend errors itself: the source should not.
   */
  readonly ready: Promise<SseStart>;
  /** The items after `startId`, in order, including `gap` and `decode_error` items. */
  readonly items: AsyncIterable<SubscriptionItem>;
}

/**
 * The read side the SSE handler streams from. `toSseSource` adapts the domain subscriber; a
 * test or another transport can supply its own.
 */
export interface SseSource {
  /** Tells an `SseSource` apart from a domain subscriber (both have `open`). */
  readonly kind: 'sse-source';
  open(request: SseSubscribeRequest): SseSubscription;
}

/** True when `value` already is an {@link SseSource}. */
export function isSseSource(value: unknown): value is SseSource {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sse-source';
}
