import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { createSubscriber } from '../../../src/defaults.js';
import { compareStreamIds, formatStreamId, previousStreamId } from '../../../src/domain/stream-id.js';
import type { StreamRepository } from '../../../src/ports/stream-repository.js';
import { assertProperty } from '../../adapters/http/fc-run.js';
import { consume, seqs, settle, setup, status, TASK, TOPIC } from './harness.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';

const U64_MAX = (1n << 64n) - 1n;

/** Counts reads, and whether each asked to block. */
function counting(inner: StreamRepository) {
  const reads: { afterId: string; blocking: boolean }[] = [];
  const repository = wrapRepository(inner, {
    read: (topic, afterId, options) => {
      reads.push({ afterId, blocking: (options?.blockMs ?? 0) > 0 });
      return inner.read(topic, afterId, options);
    },
  });
  return { repository, reads };
}

describe('previousStreamId', () => {
  it('is the greatest id before the given one; nothing precedes 0-0; malformed ids are rejected', () => {
    expect(previousStreamId('5-3')).toBe('5-2');
    expect(previousStreamId('5-0')).toBe(`4-${U64_MAX}`);
    expect(previousStreamId('0-1')).toBe('0-0');
    expect(previousStreamId('0-0')).toBeUndefined();
    expect(previousStreamId(`${U64_MAX}-0`)).toBe(`${U64_MAX - 1n}-${U64_MAX}`);
    expect(() => previousStreamId('$')).toThrow(TaskStreamError);
    expect(() => previousStreamId('7')).toThrow(TaskStreamError);
  });

  it('property: previous < id, and no id lies strictly between them', async () => {
    const part = fc.bigInt({ min: 0n, max: U64_MAX });
    await assertProperty(
      fc.property(part, part, (ms, seq) => {
        const id = formatStreamId({ ms, seq });
        const prev = previousStreamId(id);
        if (ms === 0n && seq === 0n) return prev === undefined;
        if (prev === undefined || compareStreamIds(prev, id) >= 0) return false;
        // Nothing in between: the successor of `prev` (seq + 1, carrying into ms) is `id` itself.
        const [pms, pseq] = prev.split('-').map(BigInt) as [bigint, bigint];
        const next = pseq < U64_MAX ? formatStreamId({ ms: pms, seq: pseq + 1n }) : formatStreamId({ ms: pms + 1n, seq: 0n });
        return next === id;
      }),
      500,
    );
  });

  it('reading after it returns the entry at the id first (memory backend, several entries per ms)', async () => {
    const clock = new FakeClock();
    const memory = createMemoryRepository({ clock });
    const { ids } = await memory.append({ topic: 't', entries: [{ a: '1' }, { a: '2' }, { a: '3' }], maxLen: 0, ttlSeconds: 0 });
    await clock.advance(5);
    const later = await memory.append({ topic: 't', entries: [{ a: '4' }], maxLen: 0, ttlSeconds: 0 });
    for (const id of [...ids, ...later.ids]) {
      const [entry] = await memory.read('t', previousStreamId(id)!, { count: 1 });
      expect(entry?.id).toBe(id);
    }
    await memory.close();
  });
});

describe('resuming a subscription that waits for the terminal status', () => {
  it('at the terminal entry: the start says ended and the iterator returns at once, with one non-blocking read and nothing pending', async () => {
    const { append, memory, clock } = setup();
    const ids = await append([status(1), status(2, 'COMPLETED')]);
    const { repository, reads } = counting(memory);
    const subscription = createSubscriber({ repository, clock }).open(TASK, { lastEventId: ids[1]!, untilTerminal: true });
    const start = await subscription.ready;
    expect(start).toMatchObject({ startId: ids[1], resumed: true, gap: null, ended: true });
    const run = consume(subscription);
    await run.finished;
    expect(run.state.error).toBeUndefined();
    expect(run.items).toEqual([]);
    expect(reads).toEqual([{ afterId: previousStreamId(ids[1]!), blocking: false }]);
    await settle();
    expect(memory.waitingReads).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('at a terminal entry that is not the newest: ended too (the first terminal status ends the subscription)', async () => {
    const { subscriber, append } = setup();
    const ids = await append([status(1, 'FAILED'), status(2)]);
    const subscription = subscriber.open(TASK, { lastEventId: ids[0]!, untilTerminal: true });
    expect((await subscription.ready).ended).toBe(true);
    const run = consume(subscription);
    await run.finished;
    expect(run.items).toEqual([]);
  });

  it('at a non-terminal entry: not ended; the rest up to the terminal status is yielded', async () => {
    const { subscriber, append, memory } = setup();
    const ids = await append([status(1), status(2), status(3, 'COMPLETED'), status(4)]);
    const subscription = subscriber.open(TASK, { lastEventId: ids[1]!, untilTerminal: true });
    expect((await subscription.ready).ended).toBe(false);
    const run = consume(subscription);
    await run.finished;
    expect(seqs(run.items)).toEqual([3]);
    expect(memory.waitingReads).toBe(0);
  });

  it('just before the terminal entry (an id no entry has): not ended; a reset gap (the id is not one the stream assigned), then the terminal status', async () => {
    const { subscriber, append } = setup();
    const ids = await append([status(1, 'CANCELED')]);
    const subscription = subscriber.open(TASK, { lastEventId: previousStreamId(ids[0]!)!, untilTerminal: true });
    expect((await subscription.ready).ended).toBe(false);
    const run = consume(subscription);
    await run.finished;
    expect(seqs(run.items)).toEqual(['gap', 1]);
    expect(run.items[0]!.event).toMatchObject({ type: 'gap', reason: 'reset' });
  });

  it('at the terminal entry without untilTerminal: not ended, and later entries still arrive', async () => {
    const { subscriber, append, memory, clock } = setup();
    const ids = await append([status(1, 'COMPLETED')]);
    const subscription = subscriber.open(TASK, { lastEventId: ids[0]!, untilTerminal: false });
    expect((await subscription.ready).ended).toBe(false);
    const run = consume(subscription);
    await settle();
    expect(memory.waitingReads).toBe(1);
    await clock.advance(1);
    await append([status(2)]);
    await settle();
    expect(seqs(run.items)).toEqual([2]);
    subscription.close();
    await run.finished;
  });

  it('at an undecodable entry: not ended (only a decoded terminal task_updated counts)', async () => {
    const { subscriber, memory } = setup();
    const { ids } = await memory.append({ topic: TOPIC, entries: [{ garbage: 'x' }], maxLen: 0, ttlSeconds: 0 });
    const subscription = subscriber.open(TASK, { lastEventId: ids[0]!, untilTerminal: true });
    expect((await subscription.ready).ended).toBe(false);
    subscription.close();
  });

  it('a fresh start (tail snapshot, or 0-0) is never ended and costs no extra read', async () => {
    const clock = new FakeClock();
    const memory = createMemoryRepository({ clock });
    const { repository, reads } = counting(memory);
    const subscriber = createSubscriber({ repository, clock });
    await memory.append({ topic: TOPIC, entries: [{ a: '1' }], maxLen: 0, ttlSeconds: 0 });
    for (const lastEventId of [undefined, '0-0']) {
      const subscription = subscriber.open(TASK, { ...(lastEventId ? { lastEventId } : {}), untilTerminal: true });
      expect((await subscription.ready).ended).toBe(false);
      subscription.close();
    }
    expect(reads).toEqual([]);
  });
});
