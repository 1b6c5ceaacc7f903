import type { MessageEvent, SubscriptionItem } from '../events.js';
import { messageKeyOf } from '../message-key.js';

/** A hole in one message's sequence numbers, found by {@link SeqTracker.observe}. */
export interface SeqHole {
  readonly messageKey: string;
  readonly messageIndex: number;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly exact: boolean;
}

/** What a message first seen with `seq > 0` means; see {@link SeqTracker}. */
export type FirstSight = 'ignore' | 'exact' | 'inexact';

/** Messages tracked at once; the oldest is forgotten beyond this (its next jump may then go unseen). */
export const MAX_TRACKED_MESSAGES = 10_000;

/**
 * The last sequence number this subscription read per message (a message context is one
 * producer: it numbers its events 0, 1, 2, … without holes). A later event of the same message
 * whose `seq` is more than one above it reveals entries that were lost.
 *
 * Events without a known `seq` (written by agentex itself) or without a message key, and
 * task-level events (their producer restarts its numbering whenever it goes idle and its id is
 * not on the wire), are not tracked. A message is forgotten after its `done`, so memory is bounded
 * by the messages in flight (and by {@link MAX_TRACKED_MESSAGES}). Two producers writing the
 * same message interleave their numbers; the tracker keeps the highest, so that never reports a
 * false hole, but it can hide a real one.
 */
export class SeqTracker {
  readonly #last = new Map<string, number>();

  /**
   * @param firstSight - what a message first seen with `seq > 0` means. `'ignore'`: its earlier
   *   events lie before the start point (a tail snapshot, a resume point in the same stream).
   *   `'exact'`: the reader reads the stream from its very beginning and nothing was trimmed, so
   *   `0..seq-1` are lost. `'inexact'`: the stream was lost and written again after the start
   *   point; `0..seq-1` may be lost, some may be held by the reader from before.
   */
  constructor(public firstSight: FirstSight = 'ignore') {}

  /** Records `event` as the starting position (the entry at the resume point) without checking it. */
  seed(event: SubscriptionItem['event']): void {
    const key = trackedKey(event);
    if (key !== undefined) this.#remember(key, event as MessageEvent);
  }

  /** Records that the reader holds `seq` of message `key` (a previous subscription's {@link snapshot}). */
  seedKey(key: string, seq: number): void {
    const last = this.#last.get(key);
    this.#last.delete(key);
    this.#last.set(key, last === undefined ? seq : Math.max(seq, last));
    this.#evict();
  }

  /** The last seq per message tracked now. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#last);
  }

  /** Records `event` and returns the hole just before it, if any. Items without a `seq` (decode errors, gaps) are ignored. */
  observe(event: SubscriptionItem['event']): SeqHole | null {
    const key = trackedKey(event);
    if (key === undefined) return null;
    // Only message events have a message key.
    const { seq, index: messageIndex } = event as MessageEvent;
    const last = this.#last.get(key);
    let hole: SeqHole | null = null;
    if (last === undefined) {
      if (seq > 0 && this.firstSight !== 'ignore') hole = { messageKey: key, messageIndex, fromSeq: 0, toSeq: seq - 1, exact: this.firstSight === 'exact' };
    } else if (seq > last + 1) hole = { messageKey: key, messageIndex, fromSeq: last + 1, toSeq: seq - 1, exact: true };
    this.#remember(key, event as MessageEvent, last);
    return hole;
  }

  /** Messages tracked now (for tests: bounded). */
  get size(): number {
    return this.#last.size;
  }

  #remember(key: string, event: MessageEvent, last = this.#last.get(key)): void {
    if (event.type === 'done') {
      this.#last.delete(key);
      return;
    }
    const next = last === undefined ? event.seq : Math.max(last, event.seq);
    this.#last.delete(key);
    this.#last.set(key, next);
    this.#evict();
  }

  #evict(): void {
    // Over the bound the map is not empty, so it has an oldest key.
    while (this.#last.size > MAX_TRACKED_MESSAGES) this.#last.delete(this.#last.keys().next().value!);
  }
}

/** The message key of an event the tracker follows: a message event with a `seq` >= 0. */
function trackedKey(event: SubscriptionItem['event']): string | undefined {
  // Decode errors and gaps have no `seq`; messageKeyOf is undefined for every non-message event.
  const { seq } = event as { readonly seq?: unknown };
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) return undefined;
  return messageKeyOf(event as MessageEvent);
}
