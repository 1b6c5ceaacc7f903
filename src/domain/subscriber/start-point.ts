import type { GapEvent } from '../events.js';
import type { StreamId } from '../stream-id.js';

/** Where a subscription starts reading, decided once before its first read. */
export interface SubscriptionStart {
  /** The topic (stream key) read. */
  readonly topic: string;
  /** Entries strictly after this id are yielded: the resume point, or the tail snapshot. */
  readonly startId: StreamId;
  /** True when the start came from a `lastEventId`. */
  readonly resumed: boolean;
  /** Set when entries after the resume point were trimmed (`reason: "trimmed"`) or lost with an earlier incarnation of the stream (`reason: "reset"`); it is yielded as the first item. */
  readonly gap: GapEvent | null;
  /**
   * True when the subscription waits for a terminal status (`untilTerminal`) and the entry at
   * the resume point is a terminal `task_updated`: the task ended at or before the resume point,
   * so nothing is left to yield and the iterator returns at once, without reading.
   */
  readonly ended: boolean;
}
