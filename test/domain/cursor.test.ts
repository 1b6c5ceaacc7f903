import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkResumePoint, parseResumePoint } from '../../src/domain/cursor.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import type { StreamInfo } from '../../src/ports/stream-repository.js';
import { checkProperty } from '../fixtures/agentex/arbitraries.js';

function thrown(fn: () => unknown): TaskStreamError {
  try {
    fn();
  } catch (err) {
    if (TaskStreamError.is(err)) return err;
    throw new Error(`expected a TaskStreamError, got ${String(err)}`);
  }
  throw new Error('expected a throw');
}

function info(partial: Partial<StreamInfo>): StreamInfo {
  return { length: 0, firstId: '0-0', lastId: '0-0', entriesAdded: 0, maxDeletedId: '0-0', ttlMs: null, ...partial };
}

describe('parseResumePoint', () => {
  it.each([[undefined], [null], ['']])('treats %j as no resume point', (value) => {
    expect(parseResumePoint(value)).toBeUndefined();
  });

  it.each([['0-0'], ['1700000000000-3'], ['18446744073709551615-18446744073709551615']])('accepts %s as given', (id) => {
    expect(parseResumePoint(id)).toBe(id);
  });

  it.each([['$'], ['>'], ['-'], ['+'], ['1700000000000'], ['01-0'], [' 1-0'], ['1-0 '], ['18446744073709551616-0'], ['abc'], ['null']])(
    'rejects %j with INVALID_RESUME_POINT caused by INVALID_STREAM_ID',
    (id) => {
      const err = thrown(() => parseResumePoint(id));
      expect(err.code).toBe('INVALID_RESUME_POINT');
      expect(err.details['lastEventId']).toBe(id);
      expect(TaskStreamError.is(err.cause, 'INVALID_STREAM_ID')).toBe(true);
    },
  );

  it('rejects non-strings with INVALID_RESUME_POINT', () => {
    expect(thrown(() => parseResumePoint(5 as unknown as string)).code).toBe('INVALID_RESUME_POINT');
    expect(thrown(() => parseResumePoint({} as unknown as string)).code).toBe('INVALID_RESUME_POINT');
  });

  it('keeps a huge header out of the message', () => {
    const err = thrown(() => parseResumePoint('x'.repeat(100_000)));
    expect(err.message.length).toBeLessThan(200);
  });
});

describe('checkResumePoint', () => {
  const trimmed = info({ length: 3, firstId: '100-0', lastId: '102-0', entriesAdded: 10, maxDeletedId: '99-0' });

  it('accepts any resume point on a missing stream and says so', () => {
    expect(checkResumePoint('5-0', null)).toEqual({ streamMissing: true });
    expect(checkResumePoint('0-0', null)).toEqual({ streamMissing: true });
  });

  it('rejects a resume point newer than the newest id ever assigned', () => {
    const err = thrown(() => checkResumePoint('102-1', trimmed));
    expect(err.code).toBe('INVALID_RESUME_POINT');
    expect(err.details).toMatchObject({ lastEventId: '102-1', lastId: '102-0' });
  });

  it('accepts the newest id itself (client saw everything)', () => {
    expect(checkResumePoint('102-0', trimmed)).toEqual({ streamMissing: false });
  });

  it('reports a gap when an entry after the resume point was trimmed', () => {
    expect(checkResumePoint('50-0', trimmed)).toEqual({
      streamMissing: false,
      gap: { type: 'gap', reason: 'trimmed', resumeId: '50-0', firstRetainedId: '100-0', trimmed: 7 },
    });
    // resuming from the very start of a trimmed stream also lost entries
    expect(checkResumePoint('0-0', trimmed).gap?.trimmed).toBe(7);
  });

  it('reports no gap when only entries up to the resume point were trimmed', () => {
    expect(checkResumePoint('99-0', trimmed)).toEqual({ streamMissing: false });
    expect(checkResumePoint('99-5', trimmed)).toEqual({ streamMissing: false });
  });

  it('reports a gap on Redis 7.0, which leaves maxDeletedId at 0-0 after MAXLEN trimming', () => {
    const redis70 = info({ length: 3, firstId: '100-0', lastId: '102-0', entriesAdded: 10, maxDeletedId: '0-0' });
    expect(checkResumePoint('50-0', redis70).gap).toEqual({ type: 'gap', reason: 'trimmed', resumeId: '50-0', firstRetainedId: '100-0', trimmed: 7 });
    expect(checkResumePoint('100-0', redis70)).toEqual({ streamMissing: false });
    const untrimmed = info({ length: 3, firstId: '100-0', lastId: '102-0', entriesAdded: 3, maxDeletedId: '0-0' });
    expect(checkResumePoint('50-0', untrimmed)).toEqual({ streamMissing: false });
  });

  it('compares ids exactly beyond 2^53', () => {
    const big = info({ length: 1, firstId: '9007199254740993-1', lastId: '9007199254740993-1', entriesAdded: 2, maxDeletedId: '9007199254740993-0' });
    expect(checkResumePoint('9007199254740992-0', big).gap).toBeDefined();
    expect(checkResumePoint('9007199254740993-0', big).gap).toBeUndefined();
    expect(() => checkResumePoint('9007199254740993-2', big)).toThrow(TaskStreamError);
  });

  it('reports 0-0 as first retained id when everything was trimmed', () => {
    const empty = info({ length: 0, firstId: '0-0', lastId: '7-0', entriesAdded: 4, maxDeletedId: '7-0' });
    expect(checkResumePoint('3-0', empty).gap).toEqual({ type: 'gap', reason: 'trimmed', resumeId: '3-0', firstRetainedId: '0-0', trimmed: 4 });
  });

  it('rejects malformed or empty resume ids with INVALID_RESUME_POINT', () => {
    expect(thrown(() => checkResumePoint('$', trimmed)).code).toBe('INVALID_RESUME_POINT');
    expect(thrown(() => checkResumePoint('', trimmed)).code).toBe('INVALID_RESUME_POINT');
  });

  it('over real trimming histories: a gap whenever a trimmed entry is after the resume point, never otherwise where the backend tracks maxDeletedId (property)', () => {
    checkProperty(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.nat({ max: 30 }), fc.nat({ max: 35 }), fc.boolean(), (appended, trimCount, resumeMs, tracksDeleted) => {
        const trimmed = Math.min(trimCount, appended);
        const idOf = (n: number): string => `${n}-0`; // entry n (1-based) has id n-0
        const length = appended - trimmed;
        const i = info({
          length,
          firstId: length > 0 ? idOf(trimmed + 1) : '0-0',
          lastId: idOf(appended),
          entriesAdded: appended,
          maxDeletedId: tracksDeleted && trimmed > 0 ? idOf(trimmed) : '0-0',
        });
        const resume = idOf(resumeMs);
        if (resumeMs > appended) {
          expect(thrown(() => checkResumePoint(resume, i)).code).toBe('INVALID_RESUME_POINT');
          return;
        }
        const lostAfterResume = trimmed > resumeMs;
        const gap = checkResumePoint(resume, i).gap;
        if (lostAfterResume) expect(gap).toEqual({ type: 'gap', reason: 'trimmed', resumeId: resume, firstRetainedId: i.firstId, trimmed });
        // Redis 7.0 (no maxDeletedId after trimming): conservative only at the last trimmed entry itself.
        else if (tracksDeleted || resumeMs !== trimmed || trimmed === 0) expect(gap).toBeUndefined();
      }),
    );
  });
});
