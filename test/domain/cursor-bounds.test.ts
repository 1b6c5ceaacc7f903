import { describe, expect, it } from 'vitest';
import { checkResumeEntry, gapAfter, parseResumePoint } from '../../src/domain/cursor.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import type { StreamInfo } from '../../src/ports/stream-repository.js';
import { refusal } from '../helpers/caught.js';

// Bounds of the resume-point and gap rules (issue 14): what each rule decides on its own.

function info(partial: Partial<StreamInfo>): StreamInfo {
  return { length: 0, firstId: '0-0', lastId: '0-0', entriesAdded: 0, maxDeletedId: '0-0', ttlMs: null, ...partial };
}

describe('a resume point that is not a string', () => {
  it.each([[5], [{}], [true]])('%j is refused before parsing: no parse error as cause', (value) => {
    const err = refusal(() => parseResumePoint(value as unknown as string));
    expect(err.code).toBe('INVALID_RESUME_POINT');
    expect(err.cause).toBeUndefined();
    expect(err.details).toEqual({ lastEventId: value });
  });

  it('a malformed string is refused with its parse error as cause', () => {
    expect(TaskStreamError.is(refusal(() => parseResumePoint('5')).cause, 'INVALID_STREAM_ID')).toBe(true);
  });
});

describe('gapAfter on a trimmed stream that does not track deletions (Redis 7.0)', () => {
  // Entries 1-0..10-0 were added, 1-0..6-0 trimmed: 7-0..10-0 are kept.
  const kept = info({ length: 4, firstId: '7-0', lastId: '10-0', entriesAdded: 10 });

  it('a reader inside the kept range, or at its first entry, lost nothing', () => {
    expect(gapAfter('7-0', kept)).toBeNull();
    expect(gapAfter('8-5', kept)).toBeNull();
    expect(gapAfter('10-0', kept)).toBeNull();
  });

  it('a reader just before the first kept entry gets a gap naming it and counting every trimmed entry', () => {
    expect(gapAfter('6-9', kept)).toEqual({ type: 'gap', reason: 'trimmed', resumeId: '6-9', firstRetainedId: '7-0', trimmed: 6 });
    expect(gapAfter('6-9', kept, '8-0')).toMatchObject({ firstRetainedId: '8-0' });
  });

  it('an untrimmed stream has no gap anywhere, even before its first entry', () => {
    expect(gapAfter('0-0', info({ length: 4, firstId: '7-0', lastId: '10-0', entriesAdded: 4 }))).toBeNull();
  });
});

describe('checkResumeEntry: a position that is not an entry of the stream', () => {
  const stream = { length: 2, firstId: '20-0', lastId: '21-0', entriesAdded: 2 };

  it('0-0 is the start of every stream: never a reset gap, whatever follows it', () => {
    expect(checkResumeEntry('0-0', info(stream), '20-0')).toBeNull();
    expect(checkResumeEntry('0-0', info(stream), undefined)).toBeNull();
  });

  it('the entry at the position itself: no gap', () => {
    expect(checkResumeEntry('20-0', info(stream), '20-0')).toBeNull();
  });

  it('with nothing deleted, it is a reset gap', () => {
    expect(checkResumeEntry('15-0', info(stream), '20-0')).toEqual({ type: 'gap', reason: 'reset', resumeId: '15-0', firstRetainedId: '20-0', trimmed: 0 });
  });

  it('deleted exactly at the position, or after it: no gap', () => {
    expect(checkResumeEntry('15-0', info({ ...stream, maxDeletedId: '15-0' }), '20-0')).toBeNull();
    expect(checkResumeEntry('15-0', info({ ...stream, maxDeletedId: '15-1' }), '20-0')).toBeNull();
    expect(checkResumeEntry('15-1', info({ ...stream, maxDeletedId: '15-0' }), '20-0')).toMatchObject({ reason: 'reset' });
  });
});
