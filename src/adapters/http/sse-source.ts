import type { SubscriptionItem } from '../../domain/events.js';
import type { StreamId } from '../../domain/stream-id.js';
import type { SseStartPosition } from './sse-options.js';

/** What the SSE handler asks of a subscription. */
export interface SseSubscribeRequest {
  readonly taskId: string;
  /** Resume strictly after this id (already syntax-checked); absent: start at {@link from}. */
  readonly lastEventId?: StreamId;
  /** Start position when there is no resume point. */
  readonly from: SseStartPosition;
  /** Stop after a terminal `task_updated`. */
  readonly untilTerminal: boolean;
  /** Aborted when the client goes away: the reader must stop at once. */
  readonly signal: AbortSignal;
}

/** An open subscription: its start cursor and its items. */
export interface SseSubscription {
  /**
   * Resolves with the cursor the items start after, once it is fixed (the tail snapshot, the
   * resume point, or `0-0`). Rejects with `INVALID_RESUME_POINT` for a resume point the stream
   * cannot honour, or with a backend error.
   */
  readonly cursor: Promise<StreamId>;
  /**
   * Resolves, with the cursor, true when there is nothing to stream because the task already
   * ended at or before the resume point (the client was sent its terminal event); the handler
   * then answers 204 No Content, which stops a browser `EventSource` from reconnecting.
   * Absent: never ended. Must not reject (the handler awaits {@link cursor} for errors).
   */
  readonly ended?: Promise<boolean>;
  /** The items after {@link cursor}, in order, including `gap` and `decode_error` items. */
  readonly items: AsyncIterable<SubscriptionItem>;
}

/**
 * The read side the SSE handler streams from. {@link sourceFromSubscriber} adapts the domain
 * subscriber; a test or another transport can supply its own.
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
