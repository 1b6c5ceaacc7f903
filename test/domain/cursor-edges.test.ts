import { describe, expect, it } from 'vitest';
import { checkResumePoint, gapAfter, parseResumePoint } from '../../src/domain/cursor.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import type { StreamInfo } from '../../src/ports/stream-repository.js';
import { refusal } from '../helpers/caught.js';

// Edges of the resume-point and gap rules that the mutation run found unpinned (issue 14).

function info(partial: Partial<StreamInfo>): StreamInfo {
  return { length: 0, firstId: '0-0', lastId: '0-0', entriesAdded: 0, maxDeletedId: '0-0', ttlMs: null, ...partial };
}


describe('a stream trimmed to nothing (Redis 7.0 keeps maxDeletedId at 0-0)', () => {
  const emptied = info({ length: 0, lastId: '9-2', entriesAdded: 5 });

  it('a reader that had seen the newest entry lost nothing', () => {
    expect(gapAfter('9-2', emptied)).toBeNull();
    expect(checkResumePoint('9-2', emptied)).toEqual({ streamMissing: false });
  });

  it('a reader one entry short of the newest gets a gap counting every trimmed entry', () => {
    expect(gapAfter('9-1', emptied)).toEqual({ type: 'gap', reason: 'trimmed', resumeId: '9-1', firstRetainedId: '0-0', trimmed: 5 });
    expect(checkResumePoint('8-7', emptied).gap?.trimmed).toBe(5);
  });

  it('a position after the newest id is no gap for gapAfter, and a refused resume point for checkResumePoint', () => {
    expect(gapAfter('10-0', emptied)).toBeNull();
    expect(refusal(() => checkResumePoint('10-0', emptied)).code).toBe('INVALID_RESUME_POINT');
  });
});

describe('a stream that tracks deletions', () => {
  it('no gap when the highest deleted id is at or before the reader, a gap when after it', () => {
    const trimmed = info({ length: 2, firstId: '20-0', lastId: '21-0', entriesAdded: 6, maxDeletedId: '12-0' });
    expect(gapAfter('12-0', trimmed)).toBeNull();
    expect(gapAfter('13-0', trimmed)).toBeNull();
    expect(gapAfter('11-9', trimmed)).toEqual({ type: 'gap', reason: 'trimmed', resumeId: '11-9', firstRetainedId: '20-0', trimmed: 4 });
  });
});

describe('resume points', () => {
  it('a malformed resume point carries the parse error as its cause', () => {
    const err = refusal(() => parseResumePoint('12-x'));
    expect(err.code).toBe('INVALID_RESUME_POINT');
    expect(TaskStreamError.is(err.cause) && err.cause.code).toBe('INVALID_STREAM_ID');
    expect(err.details).toEqual({ lastEventId: '12-x' });
  });

  it('a resume point that is not a string is refused before parsing', () => {
    const err = refusal(() => parseResumePoint(42 as unknown as string));
    expect(err.code).toBe('INVALID_RESUME_POINT');
    expect(err.message).toContain('number');
  });
});
