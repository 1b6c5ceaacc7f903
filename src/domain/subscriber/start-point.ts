import type { StreamInfo } from '../../ports/stream-repository.js';
import { TaskStreamError } from '../errors.js';
import type { GapEvent } from '../events.js';
import { ZERO_ID, compareStreamIds, parseStreamId, type StreamId } from '../stream-id.js';

/** Where a subscription starts reading, decided once before its first read. */
export interface SubscriptionStart {
  /** The topic (stream key) read. */
  readonly topic: string;
  /** Entries strictly after this id are yielded: the resume point, or the tail snapshot. */
  readonly startId: StreamId;
  /** True when the start came from a `lastEventId`. */
  readonly resumed: boolean;
  /** Set when entries after the resume point were trimmed; it is yielded as the first item. */
  readonly gap: GapEvent | null;
}

/**
 * Parses a `Last-Event-ID`. Absent, `null` or empty means "no resume point". Anything else must
 * be a stream id, or `INVALID_RESUME_POINT` is thrown.
 */
export function parseResumeId(lastEventId: string | null | undefined): StreamId | null {
  if (lastEventId === undefined || lastEventId === null || lastEventId === '') return null;
  try {
    parseStreamId(lastEventId);
    return lastEventId;
  } catch (err) {
    throw new TaskStreamError('INVALID_RESUME_POINT', `Last-Event-ID is not a stream id: ${JSON.stringify(String(lastEventId)).slice(0, 80)}`, {
      cause: err,
      details: { lastEventId },
    });
  }
}

/**
 * Checks a resume point against what the backend knows of the stream. A missing stream (not
 * created yet, or expired) accepts any resume point. A resume point newer than the stream's
 * newest id is `INVALID_RESUME_POINT`. When trimming may have removed an entry after the resume
 * point, the returned gap says from where reading really continues.
 *
 * Trimming removes the oldest entries, so nothing after a resume point at or after `firstId` is
 * lost. Before it, `maxDeletedId` settles the question when the backend tracks it; Redis 7.0
 * leaves it at `0-0` after `MAXLEN` trimming, and then a gap is reported whenever anything was
 * trimmed and the resume point is older than the oldest retained entry (conservative: a client
 * resuming from exactly the last trimmed entry also gets a gap item).
 */
export function checkResumePoint(resumeId: StreamId, info: StreamInfo | null): GapEvent | null {
  if (info === null) return null;
  if (compareStreamIds(resumeId, info.lastId) > 0) {
    throw new TaskStreamError('INVALID_RESUME_POINT', `Last-Event-ID ${resumeId} is newer than the stream's newest entry ${info.lastId}`, {
      details: { lastEventId: resumeId, lastId: info.lastId },
    });
  }
  return trimmedAfter(resumeId, info);
}

/**
 * The gap a reader at `cursor` has when trimming may have removed entries after it, or `null`.
 * Same rule as for a resume point (conservative when `maxDeletedId` is untracked).
 */
export function trimmedAfter(cursor: StreamId, info: StreamInfo, firstRetainedId: StreamId = info.firstId): GapEvent | null {
  const trimmed = Math.max(0, info.entriesAdded - info.length);
  if (trimmed === 0) return null;
  const oldestKept = info.length > 0 ? info.firstId : null;
  if (oldestKept !== null && compareStreamIds(cursor, oldestKept) >= 0) return null;
  if (oldestKept === null && compareStreamIds(cursor, info.lastId) >= 0) return null;
  if (info.maxDeletedId !== ZERO_ID && compareStreamIds(info.maxDeletedId, cursor) <= 0) return null;
  return { type: 'gap', resumeId: cursor, firstRetainedId, trimmed };
}
