import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { SubscriptionItem, TaskEvent } from '../../../src/domain/events.js';
import { MAX_TRACKED_MESSAGES, SeqTracker } from '../../../src/domain/subscriber/seq-tracker.js';

// The bounds of SeqTracker (issue 14): which events it follows, which seq it keeps, and which
// message it forgets first when it tracks too many.

const delta = (index: number, seq: number): TaskEvent => ({ type: 'delta', index, seq, delta: { type: 'text', textDelta: '' } });

/** `count` other messages, each seen once at seq 0, with indexes from `from` on. */
function fill(tracker: SeqTracker, count: number, from = 1_000_000): void {
  for (let i = 0; i < count; i++) tracker.observe(delta(from + i, 0));
}

describe('SeqTracker: which events it follows', () => {
  it.each([[-1], [1.5], [Number.NaN], [Number.MAX_SAFE_INTEGER + 1]])('a message event with seq %s is not tracked', (seq) => {
    const tracker = new SeqTracker('exact');
    expect(tracker.observe(delta(0, seq))).toBeNull();
    tracker.seed(delta(1, seq));
    expect(tracker.size).toBe(0);
  });

  it('seq 0 and the largest safe seq are tracked', () => {
    const tracker = new SeqTracker();
    tracker.observe(delta(0, 0));
    tracker.seed(delta(1, Number.MAX_SAFE_INTEGER));
    expect(tracker.snapshot()).toEqual({ 'index:0': 0, 'index:1': Number.MAX_SAFE_INTEGER });
  });

  it('decode errors, gaps and task-level events are not tracked', () => {
    const tracker = new SeqTracker('exact');
    const items: SubscriptionItem['event'][] = [
      { type: 'decode_error', error: new TaskStreamError('DECODE_FAILED', 'x'), raw: { seq: '3' } },
      { type: 'gap', reason: 'seq', resumeId: '1-0', firstRetainedId: '2-0', trimmed: 0, messageKey: 'index:0', messageIndex: 0, fromSeq: 0, toSeq: 2, exact: true },
      { type: 'task_updated', seq: 4, status: 'RUNNING', fields: {} },
      { type: 'error', seq: 4, message: 'x', fields: {} },
    ];
    for (const item of items) {
      expect(tracker.observe(item)).toBeNull();
      tracker.seed(item);
    }
    expect(tracker.size).toBe(0);
  });

  it('a message keyed by its parent (index -1) reports that index in its hole', () => {
    const tracker = new SeqTracker();
    const event = (seq: number): TaskEvent => ({ type: 'delta', index: -1, seq, parentTaskMessage: { id: 'm1' }, delta: { type: 'text', textDelta: '' } });
    tracker.observe(event(0));
    expect(tracker.observe(event(2))).toEqual({ messageKey: 'parent:m1', messageIndex: -1, fromSeq: 1, toSeq: 1, exact: true });
  });
});

describe('SeqTracker: holes', () => {
  it('consecutive seqs and repeats are no hole; a jump of two names the one missing seq', () => {
    const tracker = new SeqTracker();
    expect(tracker.observe(delta(0, 0))).toBeNull();
    expect(tracker.observe(delta(0, 1))).toBeNull();
    expect(tracker.observe(delta(0, 1))).toBeNull();
    expect(tracker.observe(delta(0, 3))).toEqual({ messageKey: 'index:0', messageIndex: 0, fromSeq: 2, toSeq: 2, exact: true });
  });

  it('first sight: seq 0 is never a hole; seq 1 is one when the reader saw the stream from its start', () => {
    expect(new SeqTracker('exact').observe(delta(0, 0))).toBeNull();
    expect(new SeqTracker('exact').observe(delta(0, 1))).toEqual({ messageKey: 'index:0', messageIndex: 0, fromSeq: 0, toSeq: 0, exact: true });
    expect(new SeqTracker('ignore').observe(delta(0, 1))).toBeNull();
  });

  it('a done that reveals a hole reports it, then the message is forgotten', () => {
    const tracker = new SeqTracker();
    tracker.observe(delta(0, 0));
    expect(tracker.observe({ type: 'done', index: 0, seq: 3, fields: {} })).toMatchObject({ fromSeq: 1, toSeq: 2 });
    expect(tracker.size).toBe(0);
  });

  it('a seeded done forgets the message', () => {
    const tracker = new SeqTracker();
    tracker.seedKey('index:0', 4);
    tracker.seed({ type: 'done', index: 0, seq: 5, fields: {} });
    expect(tracker.snapshot()).toEqual({});
  });
});

describe('SeqTracker: seeds keep the highest seq', () => {
  it('seedKey twice keeps the higher seq, in either order', () => {
    const tracker = new SeqTracker();
    tracker.seedKey('index:0', 5);
    tracker.seedKey('index:0', 3);
    tracker.seedKey('index:1', 3);
    tracker.seedKey('index:1', 5);
    expect(tracker.snapshot()).toEqual({ 'index:0': 5, 'index:1': 5 });
  });

  it('seed after seedKey keeps the higher seq', () => {
    const tracker = new SeqTracker();
    tracker.seedKey('index:0', 7);
    tracker.seed(delta(0, 2));
    tracker.seed(delta(1, 2));
    tracker.seedKey('index:1', 1);
    expect(tracker.snapshot()).toEqual({ 'index:0': 7, 'index:1': 2 });
  });
});

describe('SeqTracker: the message forgotten first is the one seen least recently', () => {
  it('a message seen again is kept over older ones (observe)', () => {
    const tracker = new SeqTracker();
    tracker.observe(delta(0, 0)); // the oldest
    tracker.observe(delta(1, 0));
    fill(tracker, MAX_TRACKED_MESSAGES - 2);
    tracker.observe(delta(0, 1)); // seen again: now the newest
    fill(tracker, 1, 2_000_000); // one over the bound: message 1 goes, not 0
    expect(tracker.size).toBe(MAX_TRACKED_MESSAGES);
    expect(tracker.snapshot()).toHaveProperty(['index:0'], 1);
    expect(tracker.snapshot()).not.toHaveProperty(['index:1']);
    expect(tracker.observe(delta(0, 3))).toMatchObject({ fromSeq: 2, toSeq: 2 });
  });

  it('a message seeded again is kept over older ones (seedKey, seed)', () => {
    const tracker = new SeqTracker();
    tracker.seedKey('index:0', 1);
    tracker.seedKey('index:1', 1);
    tracker.seedKey('index:2', 1);
    fill(tracker, MAX_TRACKED_MESSAGES - 3);
    tracker.seedKey('index:0', 2);
    tracker.seed(delta(1, 2));
    fill(tracker, 2, 2_000_000); // two over the bound: message 2 goes, then the oldest filler
    const snapshot = tracker.snapshot();
    expect(snapshot).toMatchObject({ 'index:0': 2, 'index:1': 2 });
    expect(snapshot).not.toHaveProperty(['index:2']);
    expect(snapshot).not.toHaveProperty(['index:1000000']);
    expect(snapshot).toHaveProperty(['index:1000001'], 0);
  });
});
