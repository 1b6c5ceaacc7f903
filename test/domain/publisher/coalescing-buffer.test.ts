import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import type { CoalesceMode } from '../../../src/domain/config.js';
import type { MessageDelta } from '../../../src/domain/events.js';
import { CoalescingBuffer } from '../../../src/domain/publisher/coalescing-buffer.js';

const text = (t: string): MessageDelta => ({ type: 'text', textDelta: t });

function make(mode: CoalesceMode = 'coalesced', maxBufferedChars = 128, maxPendingEntries = 1024) {
  const clock = new FakeClock();
  let readyCalls = 0;
  const buffer = new CoalescingBuffer({ mode, clock, flushIntervalMs: 50, maxBufferedChars, maxPendingEntries, onReady: () => readyCalls++ });
  return { clock, buffer, readyCalls: () => readyCalls };
}

describe('CoalescingBuffer (coalesced)', () => {
  it('is ready at once for the first delta of the message, without a timer', () => {
    const { clock, buffer, readyCalls } = make();
    buffer.add(text('a'));
    expect(readyCalls()).toBe(1);
    expect(buffer.ready).toBe(true);
    expect(clock.pendingCount).toBe(0);
    expect(buffer.take()).toEqual([text('a')]);
  });

  it('holds later deltas for flushIntervalMs, merging them, then turns ready', async () => {
    const { clock, buffer, readyCalls } = make();
    buffer.add(text('a'));
    buffer.take();
    buffer.add(text('b'));
    buffer.add(text('c'));
    expect(readyCalls()).toBe(1);
    expect(clock.pendingCount).toBe(1);
    await clock.advance(49);
    expect(buffer.ready).toBe(false);
    await clock.advance(1);
    expect(buffer.ready).toBe(true);
    expect(readyCalls()).toBe(2);
    expect(buffer.take()).toEqual([text('bc')]);
    expect(clock.pendingCount).toBe(0);
  });

  it('the window starts at the first buffered delta, not the last', async () => {
    const { clock, buffer } = make();
    buffer.add(text('a'));
    buffer.take();
    buffer.add(text('b'));
    await clock.advance(30);
    buffer.add(text('c'));
    await clock.advance(20);
    expect(buffer.ready).toBe(true);
  });

  it('turns ready at once when maxBufferedChars code points are buffered (emoji count once)', async () => {
    const { clock, buffer } = make('coalesced', 4);
    buffer.add(text('x'));
    buffer.take();
    buffer.add(text('😀😀'));
    expect(buffer.chars).toBe(2);
    expect(buffer.ready).toBe(false);
    buffer.add(text('😀'));
    expect(buffer.ready).toBe(false);
    buffer.add(text('😀'));
    expect(buffer.ready).toBe(true);
    expect(clock.pendingCount).toBe(0);
    expect(buffer.take()).toEqual([text('😀😀😀😀')]);
  });

  it('keeps merging while ready but not taken (slow backend), and keeps kinds apart', () => {
    const { buffer } = make();
    buffer.add(text('a'));
    for (let i = 0; i < 1000; i++) buffer.add(text('b'));
    buffer.add({ type: 'reasoning_summary', summaryIndex: 0, summaryDelta: 's' });
    buffer.add(text('c'));
    expect(buffer.size).toBe(3);
    const runs = buffer.take();
    expect(runs[0]).toEqual(text('a' + 'b'.repeat(1000)));
    expect(runs.slice(1)).toEqual([{ type: 'reasoning_summary', summaryIndex: 0, summaryDelta: 's' }, text('c')]);
  });

  it('holds no timer when empty, however long it stays open', async () => {
    const { clock, buffer } = make();
    buffer.add(text('a'));
    buffer.take();
    buffer.add(text('b'));
    await clock.advance(50);
    buffer.take();
    const fired = clock.firedCount;
    await clock.advance(60_000);
    expect(clock.pendingCount).toBe(0);
    expect(clock.firedCount).toBe(fired);
    expect(buffer.hasTimer).toBe(false);
  });
});

describe('CoalescingBuffer (off, per_token)', () => {
  for (const mode of ['off', 'per_token'] as const) {
    it(`${mode}: every delta is ready at once and never merged`, () => {
      const { clock, buffer, readyCalls } = make(mode);
      buffer.add(text('a'));
      buffer.take();
      buffer.add(text('b'));
      buffer.add(text('c'));
      expect(readyCalls()).toBe(2);
      expect(clock.pendingCount).toBe(0);
      expect(buffer.take()).toEqual([text('b'), text('c')]);
    });
  }

  it('per_token: beyond maxPendingEntries waiting deltas, mergeable ones merge (bounded entries)', () => {
    const { buffer } = make('per_token', 128, 3);
    for (const t of ['a', 'b', 'c', 'd', 'e']) buffer.add(text(t));
    expect(buffer.take()).toEqual([text('a'), text('b'), text('cde')]);
  });
});
