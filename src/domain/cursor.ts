import type { StreamInfo } from '../ports/stream-repository.js';
import { TaskStreamError } from './errors.js';
import type { ResetGapEvent, TrimmedGapEvent } from './events.js';
import { compareStreamIds, parseStreamId, ZERO_ID, type StreamId } from './stream-id.js';

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value).slice(0, 80) : value === null ? 'null' : typeof value;
}

function invalidResumePoint(lastEventId: unknown, why: string, extra: { cause?: unknown; details?: Record<string, unknown> } = {}): never {
  // TaskStreamError takes an undefined cause as none.
  throw new TaskStreamError('INVALID_RESUME_POINT', `Last-Event-ID ${describe(lastEventId)} ${why}`, {
    cause: extra.cause,
    details: { lastEventId, ...extra.details },
  });
}

/**
 * Validates a `Last-Event-ID` (an SSE client's resume point). Absent, `null` or `""` means "no
 * resume point" and gives `undefined`. Anything else must be a canonical stream id (`ms-seq`,
 * no whitespace, no `$`/`>`/`-`/`+`), or `INVALID_RESUME_POINT` is thrown with the parse error as
 * `cause`. `0-0` is valid: it resumes from the very beginning.
 */
export function parseResumePoint(lastEventId: string | null | undefined): StreamId | undefined {
  if (lastEventId === undefined || lastEventId === null || lastEventId === '') return undefined;
  if (typeof lastEventId !== 'string') invalidResumePoint(lastEventId, 'is not a string');
  try {
    parseStreamId(lastEventId);
  } catch (err) {
    invalidResumePoint(lastEventId, 'is not a stream id (want "ms-seq")', { cause: err });
  }
  return lastEventId;
}

/** What {@link checkResumePoint} found. */
export interface ResumeCheck {
  /** Set when entries after the resume point were trimmed away: yield it before the first entry. */
  readonly gap?: TrimmedGapEvent;
  /**
   * True when the backend has no stream for the topic (never written, expired, or deleted). Nothing
   * can be checked then; reading after the resume point returns whatever is appended next.
   */
  readonly streamMissing: boolean;
}

/**
 * Checks a resume point against what the backend knows of the stream, before the first read.
 *
 * - **Missing stream** (`info === null`): accepted, `streamMissing: true`, no gap. An expired stream
 *   looks exactly like one not written yet, so there is neither a count nor a retained id to report.
 * - **Newer than `lastId`**: `INVALID_RESUME_POINT`, since a client cannot have seen an id the stream
 *   never assigned (it belongs to another stream or was made up).
 * - **Entries after it may have been trimmed**: a {@link GapEvent} (see {@link gapAfter}).
 * - Otherwise nothing was lost: no gap.
 *
 * A stream that was lost and written again (its new incarnation has no trimming history) is not
 * seen here: {@link checkResumeEntry} finds it from the entry at the resume point.
 */
export function checkResumePoint(resumeId: StreamId, info: StreamInfo | null): ResumeCheck {
  if (parseResumePoint(resumeId) === undefined) invalidResumePoint(resumeId, 'is empty: there is nothing to check');
  if (info === null) return { streamMissing: true };
  if (compareStreamIds(resumeId, info.lastId) > 0) {
    invalidResumePoint(resumeId, `is newer than the newest id the stream has assigned (${info.lastId})`, {
      details: { lastId: info.lastId },
    });
  }
  const gap = gapAfter(resumeId, info);
  return gap === null ? { streamMissing: false } : { streamMissing: false, gap };
}

/**
 * The gap a reader at `cursor` has, if trimming may have removed an entry after it.
 *
 * Trimming removes the oldest entries, so nothing after a cursor at or after `firstId` is lost.
 * Before it, `maxDeletedId` settles the question when the backend tracks it; Redis 7.0 leaves it
 * at `0-0` after `MAXLEN` trimming, and then a gap is reported whenever anything was trimmed and
 * the cursor is older than the oldest retained entry (conservative: a reader at exactly the last
 * trimmed entry also gets one). `trimmed` is `entriesAdded - length`, the number of entries the
 * stream has lost in all: an upper bound on what this reader missed.
 */
export function gapAfter(cursor: StreamId, info: StreamInfo, firstRetainedId: StreamId = info.firstId): TrimmedGapEvent | null {
  const trimmed = Math.max(0, info.entriesAdded - info.length);
  if (trimmed === 0) return null;
  // At or after the oldest retained entry (or, with none retained, the newest id): nothing lost.
  if (compareStreamIds(cursor, info.length > 0 ? info.firstId : info.lastId) >= 0) return null;
  if (info.maxDeletedId !== ZERO_ID && compareStreamIds(info.maxDeletedId, cursor) <= 0) return null;
  return { type: 'gap', reason: 'trimmed', resumeId: cursor, firstRetainedId, trimmed };
}

/**
 * Whether `position` (a resume point, or the cursor of a reader that reconnected) is an entry of
 * the stream as it is now. `nextId` is the id of the first entry at or after `position` (one read
 * from just before it), `undefined` when there is none. Call it only when {@link gapAfter} found
 * no trimming gap.
 *
 * - `0-0`, or an entry with exactly that id: the same stream, no gap.
 * - No such entry, but the stream records a deletion at or after it (`maxDeletedId`): deleted
 *   explicitly, no gap.
 * - Otherwise the id was never assigned by the stream as it is now: it belongs to an earlier
 *   incarnation that was lost (a Redis restart without persistence, a failover to a lagging
 *   replica) and written again. A {@link ResetGapEvent} is returned: whatever that incarnation held
 *   after `position` may be lost. Reading goes on after `position`.
 *
 * Limits: with Redis 7.0 `maxDeletedId` stays `0-0` after trimming, so a trimmed position is left
 * to {@link gapAfter}; a lost incarnation whose ids happen to include `position` again is not seen
 * (ids are clock-based, so that takes a clock that went back); entries lost at the very end of the
 * old incarnation, after the reader's last entry, with no later entry of the same message read,
 * are reported only by this gap, not by sequence numbers.
 */
export function checkResumeEntry(position: StreamId, info: StreamInfo, nextId: StreamId | undefined): ResetGapEvent | null {
  if (nextId === position) return null;
  // At or before the highest deleted id: deleted explicitly. Always so for 0-0, the start of any
  // stream; never for another position when nothing was deleted (`maxDeletedId` 0-0).
  if (compareStreamIds(info.maxDeletedId, position) >= 0) return null;
  return {
    type: 'gap',
    reason: 'reset',
    resumeId: position,
    firstRetainedId: nextId ?? info.firstId,
    trimmed: Math.max(0, info.entriesAdded - info.length),
  };
}
