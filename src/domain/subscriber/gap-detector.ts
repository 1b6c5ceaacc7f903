import type { StreamEntry, StreamInfo } from '../../ports/stream-repository.js';
import type { EventCodec } from '../codec/event-codec.js';
import { checkResumeEntry, gapAfter } from '../cursor.js';
import type { GapEvent, SubscriptionItem } from '../events.js';
import { ZERO_ID, type StreamId } from '../stream-id.js';
import { decodeEntry } from './decode-entry.js';
import { SeqTracker } from './seq-tracker.js';

/** How the detector reaches the stream: retried calls of the subscription. */
export interface GapProbe {
  info(): Promise<StreamInfo | null>;
  /** `info` without retries (for best-effort checks on the read path). */
  infoOnce(): Promise<StreamInfo | null>;
  /** Reports a best-effort check that failed (and so found no gap). */
  warn(message: string, error: unknown): void;
  /** The entry at `id`, or the first one after it (one non-blocking read of one entry). */
  entryAtOrAfter(id: StreamId): Promise<StreamEntry | undefined>;
}

/** What {@link GapDetector.checkResume} found at the resume point. */
export interface ResumeFinding {
  /** A reset gap to yield first when the resume point is not an entry of the stream as it is now. */
  readonly gap: GapEvent | null;
  /** The event at the resume point, when it is there (for the `untilTerminal` check). */
  readonly event: SubscriptionItem['event'] | undefined;
}

/**
 * Finds the entries a subscription will never get, beyond trimming (see `cursor.ts`):
 *
 * - **Lost incarnation.** A resume point, or the cursor after a reconnect, that is not an entry of
 *   the stream as it is now (and neither trimming nor deletion explains it) means the stream was
 *   lost and written again: a `reset` gap. A resume point whose stream is missing gets one before
 *   the first entry that appears, since that entry belongs to a new incarnation.
 * - **Sequence jumps.** Per message ({@link SeqTracker}), a `seq` more than one above the last
 *   one read: a `seq` gap naming the missing range, before the entry that revealed it. A message
 *   first seen with `seq > 0` is reported too when the reader starts at `0-0` and nothing was
 *   trimmed (its start was lost: `exact: true`), or after a reset (`exact: false`).
 */
export class GapDetector {
  readonly #seqs = new SeqTracker();
  #resetOnFirstEntry = false;

  constructor(
    private readonly codec: EventCodec,
    knownSeqs: Readonly<Record<string, number>>,
    private readonly probe: GapProbe,
  ) {
    for (const [key, seq] of Object.entries(knownSeqs)) this.#seqs.seedKey(key, seq);
  }

  /** The last seq read per message in flight. */
  lastSeqs(): Record<string, number> {
    return this.#seqs.snapshot();
  }

  /**
   * Checks a resume point after `checkResumePoint` (which handles a missing stream and a point newer
   * than the stream) found no trimming gap; seeds the sequence tracker from the entry at the point.
   */
  async checkResume(resumeId: StreamId, info: StreamInfo | null): Promise<ResumeFinding> {
    if (resumeId === ZERO_ID) {
      this.#seqs.firstSight = 'exact';
      return { gap: null, event: undefined };
    }
    if (info === null) {
      this.#resetOnFirstEntry = true;
      return { gap: null, event: undefined };
    }
    const entry = await this.probe.entryAtOrAfter(resumeId);
    const gap = checkResumeEntry(resumeId, info, entry?.id);
    if (gap !== null) {
      this.#seqs.firstSight = 'inexact';
      return { gap, event: undefined };
    }
    if (entry?.id !== resumeId) return { gap: null, event: undefined };
    const event = decodeEntry(this.codec, entry);
    this.#seqs.seed(event);
    return { gap: null, event };
  }

  /**
   * After a read that returned a full page (the reader is behind): whether trimming removed
   * entries between `cursor` and `nextId`. Best effort: a failed `info` is no gap.
   */
  async trimmedBefore(cursor: StreamId, nextId: StreamId): Promise<GapEvent | null> {
    try {
      const info = await this.probe.infoOnce();
      return info === null ? null : gapAfter(cursor, info, nextId);
    } catch (err) {
      this.probe.warn('info for the trimming check failed', err);
      return null;
    }
  }

  /** A tail snapshot of `0-0` (no entries yet): the reader will see every message from its start. */
  startAtTail(tailId: StreamId): void {
    if (tailId === ZERO_ID) this.#seqs.firstSight = 'exact';
  }

  /**
   * After a reconnect, before the entry `nextId`: a trimmed gap when trimming removed entries after
   * the cursor meanwhile (the page may not be full, so the behind check cannot see it), else a reset
   * gap when the cursor is no longer an entry of the stream. Best effort: a failed check is no gap.
   */
  async afterReconnect(cursor: StreamId, nextId: StreamId): Promise<GapEvent | null> {
    try {
      const info = await this.probe.info();
      if (info === null) return null;
      const trimmed = gapAfter(cursor, info, nextId);
      if (trimmed !== null) return trimmed;
      const gap = checkResumeEntry(cursor, info, (await this.probe.entryAtOrAfter(cursor))?.id);
      if (gap !== null) this.#seqs.firstSight = 'inexact';
      return gap;
    } catch (err) {
      this.probe.warn('position check after a reconnect failed', err);
      return null;
    }
  }

  /** The gaps to yield before `entry` (decoded as `event`), the reader being at `cursor`. */
  gapsBefore(entry: StreamEntry, event: SubscriptionItem['event'], cursor: StreamId): GapEvent[] {
    const gaps: GapEvent[] = [];
    if (this.#resetOnFirstEntry) {
      this.#resetOnFirstEntry = false;
      this.#seqs.firstSight = 'inexact';
      gaps.push({ type: 'gap', reason: 'reset', resumeId: cursor, firstRetainedId: entry.id, trimmed: 0 });
    }
    const hole = this.#seqs.observe(event);
    if (hole !== null) gaps.push({ type: 'gap', reason: 'seq', resumeId: cursor, firstRetainedId: entry.id, trimmed: 0, ...hole });
    return gaps;
  }
}
