import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../../../src/domain/events.js';
import { assertWithSeed } from '../publisher/fc-seed.js';
import { TASK, consume, settle, setup } from './harness.js';

/** Interleaved messages, each numbered 0..n-1, with some entries lost before the reader sees them. */
const scenario = fc
  .array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 })
  .chain((lengths) => {
    const entries = lengths.flatMap((n, index) => Array.from({ length: n }, (_, seq) => ({ index, seq })));
    return fc.tuple(
      fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }),
      fc.array(fc.boolean(), { minLength: entries.length, maxLength: entries.length }),
    );
  })
  .map(([shuffled, lost]) => {
    // Keep each message's own order (a producer appends in order); interleave messages freely.
    const next = new Map<number, number>();
    const ordered = shuffled.map(({ index }) => {
      const seq = next.get(index) ?? 0;
      next.set(index, seq + 1);
      return { index, seq };
    });
    return ordered.map((e, i) => ({ ...e, lost: lost[i]! }));
  });

/** Per message, the runs of lost seqs that a later kept entry of the same message reveals. */
function expectedHoles(entries: readonly { index: number; seq: number; lost: boolean }[]): string[] {
  const holes: string[] = [];
  const last = new Map<number, number>();
  for (const e of entries) {
    if (e.lost) continue;
    const before = last.get(e.index) ?? -1;
    if (e.seq > before + 1) holes.push(`${e.index}:${before + 1}-${e.seq - 1}`);
    last.set(e.index, e.seq);
  }
  return holes;
}

describe('subscriber: seq gaps (property)', () => {
  it('a reader from 0-0 gets exactly one seq gap per hole a later entry reveals, naming it, never a false one', async () => {
    await assertWithSeed(
      'seq-gaps',
      fc.asyncProperty(scenario, async (entries) => {
        const { subscriber, append } = setup();
        const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
        const run = consume(subscription);
        const kept = entries.filter((e) => !e.lost);
        const events: TaskEvent[] = kept.map(({ index, seq }) => ({ type: 'delta', index, seq, delta: { type: 'text', textDelta: `${index}.${seq}` } }));
        if (events.length > 0) await append(events);
        await settle();
        const holes = run.items.flatMap(({ event }) => (event.type === 'gap' && event.reason === 'seq' ? [`${event.messageIndex}:${event.fromSeq}-${event.toSeq}`] : []));
        expect(holes).toEqual(expectedHoles(entries));
        expect(run.items.filter((i) => i.event.type !== 'gap')).toHaveLength(kept.length);
        subscription.close();
        await run.finished;
      }),
      200,
    );
  }, 60_000);
});
