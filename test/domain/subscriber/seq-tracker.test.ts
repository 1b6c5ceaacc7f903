import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../../../src/domain/events.js';
import { MAX_TRACKED_MESSAGES, SeqTracker } from '../../../src/domain/subscriber/seq-tracker.js';

const delta = (index: number, seq: number): TaskEvent => ({ type: 'delta', index, seq, delta: { type: 'text', textDelta: '' } });

describe('SeqTracker', () => {
  it('forgets a message at its done, so memory is bounded by the messages in flight', () => {
    const tracker = new SeqTracker();
    for (let i = 0; i < 50; i++) {
      tracker.observe(delta(i, 0));
      tracker.observe({ type: 'done', index: i, seq: 1, fields: {} });
    }
    expect(tracker.size).toBe(0);
  });

  it(`never tracks more than ${MAX_TRACKED_MESSAGES} messages (the oldest is forgotten)`, () => {
    const tracker = new SeqTracker();
    for (let i = 0; i < MAX_TRACKED_MESSAGES + 10; i++) tracker.observe(delta(i, 0));
    expect(tracker.size).toBe(MAX_TRACKED_MESSAGES);
    // the most recent ones are still checked
    expect(tracker.observe(delta(MAX_TRACKED_MESSAGES + 9, 3))).toMatchObject({ fromSeq: 1, toSeq: 2 });
  });

  it('keeps the highest seq when two producers interleave one message: no false hole', () => {
    const tracker = new SeqTracker();
    const holes = [0, 1, 0, 2, 1, 3, 2, 3].map((seq) => tracker.observe(delta(0, seq)));
    expect(holes.every((h) => h === null)).toBe(true);
  });

  it('reports a first sight with seq > 0 only after a reset, as inexact', () => {
    expect(new SeqTracker().observe(delta(0, 5))).toBeNull();
    expect(new SeqTracker('inexact').observe(delta(0, 5))).toEqual({ messageKey: 'index:0', messageIndex: 0, fromSeq: 0, toSeq: 4, exact: false });
    expect(new SeqTracker('inexact').observe(delta(0, 0))).toBeNull();
  });
});

describe('SeqTracker: seeds from a previous subscription', () => {
  it('continues from seeded seqs and reports exact holes, with the same bound', () => {
    const tracker = new SeqTracker('inexact');
    tracker.seedKey('index:0', 99);
    expect(tracker.observe(delta(0, 200))).toEqual({ messageKey: 'index:0', messageIndex: 0, fromSeq: 100, toSeq: 199, exact: true });
    expect(tracker.snapshot()).toEqual({ 'index:0': 200 });
    for (let i = 0; i < MAX_TRACKED_MESSAGES + 5; i++) tracker.seedKey(`index:${i + 1}`, 0);
    expect(tracker.size).toBe(MAX_TRACKED_MESSAGES);
  });
});
