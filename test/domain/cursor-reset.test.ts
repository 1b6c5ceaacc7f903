import { describe, expect, it } from 'vitest';
import { checkResumeEntry, checkResumePoint, parseResumePoint } from '../../src/domain/cursor.js';
import type { StreamInfo } from '../../src/ports/stream-repository.js';
import { refusal } from '../helpers/caught.js';

// checkResumeEntry: whether a position is an entry of the stream as it is now (a reset gap when it
// is not), pinned at the bounds the mutation run found open (issue 14).

function info(partial: Partial<StreamInfo>): StreamInfo {
  return { length: 0, firstId: '0-0', lastId: '0-0', entriesAdded: 0, maxDeletedId: '0-0', ttlMs: null, ...partial };
}

describe('checkResumeEntry', () => {
  const stream = info({ length: 3, firstId: '10-0', lastId: '30-0', entriesAdded: 3 });

  it('an entry at exactly the position, or 0-0: no gap', () => {
    expect(checkResumeEntry('20-0', stream, '20-0')).toBeNull();
    expect(checkResumeEntry('0-0', stream, '10-0')).toBeNull();
  });

  it('no entry there and no deletion recorded: a reset gap continuing at the next entry', () => {
    expect(checkResumeEntry('15-0', stream, '20-0')).toEqual({ type: 'gap', reason: 'reset', resumeId: '15-0', firstRetainedId: '20-0', trimmed: 0 });
  });

  it('no entry at or after the position: the gap names the first retained entry', () => {
    expect(checkResumeEntry('35-0', stream, undefined)).toMatchObject({ reason: 'reset', firstRetainedId: '10-0' });
  });

  it('trimmed counts what the stream lost in all, never below 0', () => {
    expect(checkResumeEntry('15-0', info({ ...stream, entriesAdded: 7 }), '20-0')).toMatchObject({ trimmed: 4 });
    // A backend reporting fewer entries added than it holds (inconsistent) still gives 0, not a negative count.
    expect(checkResumeEntry('15-0', info({ ...stream, entriesAdded: 1 }), '20-0')).toMatchObject({ trimmed: 0 });
  });

  it('a deletion recorded at or after the position explains the missing entry: no gap; one before it does not', () => {
    expect(checkResumeEntry('15-0', info({ ...stream, maxDeletedId: '15-0' }), '20-0')).toBeNull();
    expect(checkResumeEntry('15-0', info({ ...stream, maxDeletedId: '16-0' }), '20-0')).toBeNull();
    expect(checkResumeEntry('15-0', info({ ...stream, maxDeletedId: '14-9' }), '20-0')).toMatchObject({ reason: 'reset' });
  });
});


describe('INVALID_RESUME_POINT names what it refused', () => {
  it('quotes a string resume point, cut to 80 characters', () => {
    const long = `1-${'9'.repeat(200)}x`;
    const err = refusal(() => parseResumePoint(long));
    expect(err.code).toBe('INVALID_RESUME_POINT');
    expect(err.message).toContain(JSON.stringify(long).slice(0, 80));
    expect(err.message).not.toContain(JSON.stringify(long).slice(0, 81));
  });

  it('says null for a null resume point given to the check', () => {
    const err = refusal(() => checkResumePoint(null as unknown as string, null));
    expect(err.code).toBe('INVALID_RESUME_POINT');
    expect(err.message).toMatch(/^Last-Event-ID null /);
  });
});
