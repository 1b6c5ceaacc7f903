import { describe, expect, it } from 'vitest';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { agentexCodec } from '../../../src/domain/codec/index.js';
import type { GapEvent, SubscriptionItem, TaskEvent } from '../../../src/domain/events.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { TASK, TOPIC, consume, settle, setup, status } from './harness.js';

function delta(index: number, seq: number, parentId?: string): TaskEvent {
  return {
    type: 'delta',
    index,
    seq,
    ...(parentId === undefined ? {} : { parentTaskMessage: { id: parentId, task_id: TASK, content: { type: 'text', author: 'agent', content: '' } } }),
    delta: { type: 'text', textDelta: `s${seq}` },
  };
}

function done(index: number, seq: number): TaskEvent {
  return { type: 'done', index, seq, fields: {} };
}

/** Each item as `gap:<reason>` or `<index>/<seq>` (message events) or the event type. */
function shape(items: readonly SubscriptionItem[]): string[] {
  return items.map(({ event }) => {
    if (event.type === 'gap') return `gap:${event.reason}`;
    if ('index' in event) return `${event.index}/${event.seq}`;
    return event.type;
  });
}

function gaps(items: readonly SubscriptionItem[]): GapEvent[] {
  return items.flatMap((i) => (i.event.type === 'gap' ? [i.event] : []));
}

describe('subscriber: gaps in a message\'s sequence numbers', () => {
  it('a live reader gets a seq gap naming the missing range, just before the entry that reveals it', async () => {
    const { subscriber, append } = setup();
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    const run = consume(subscription);
    const ids = await append([delta(0, 0), delta(0, 1), delta(0, 2), delta(0, 6), done(0, 7)]);
    await settle();
    expect(shape(run.items)).toEqual(['0/0', '0/1', '0/2', 'gap:seq', '0/6', '0/7']);
    expect(run.items[3]).toEqual({
      id: ids[2],
      event: { type: 'gap', reason: 'seq', resumeId: ids[2], firstRetainedId: ids[3], trimmed: 0, messageKey: 'index:0', messageIndex: 0, fromSeq: 3, toSeq: 5, exact: true },
    });
    subscription.close();
    await run.finished;
  });

  it('tracks each message on its own, and messages agentex left without an index by parent_task_message.id', async () => {
    const { subscriber, append } = setup();
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    const run = consume(subscription);
    await append([delta(0, 0), delta(1, 0), delta(-1, 0, 'm-a'), delta(-1, 0, 'm-b'), delta(1, 1), delta(0, 1), delta(-1, 1, 'm-b'), delta(-1, 3, 'm-a')]);
    await settle();
    expect(gaps(run.items)).toEqual([expect.objectContaining({ reason: 'seq', messageKey: 'parent:m-a', messageIndex: -1, fromSeq: 1, toSeq: 2, exact: true })]);
    subscription.close();
    await run.finished;
  });

  it('ignores entries agentex wrote itself (no seq) and task-level events', async () => {
    const { subscriber, append } = setup();
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    const run = consume(subscription);
    await append([delta(0, -1), delta(0, -1), status(0), status(5), status(0)]);
    await settle();
    expect(gaps(run.items)).toEqual([]);
    expect(run.items).toHaveLength(5);
    subscription.close();
    await run.finished;
  });

  it('resuming at an entry: the message continues from that entry\'s seq; messages first seen mid-way are not gaps', async () => {
    const { subscriber, append } = setup();
    const ids = await append([delta(0, 0), delta(1, 0), delta(1, 1), delta(0, 1)]);
    const subscription = subscriber.open(TASK, { lastEventId: ids[3] });
    expect((await subscription.ready).gap).toBeNull();
    const run = consume(subscription);
    const later = await append([delta(1, 2), delta(0, 4), delta(2, 3)]);
    await settle();
    expect(shape(run.items)).toEqual(['1/2', 'gap:seq', '0/4', '2/3']);
    expect(run.items[1]).toMatchObject({ id: later[0], event: { messageKey: 'index:0', fromSeq: 2, toSeq: 3, exact: true } });
    subscription.close();
    await run.finished;
  });

  it('a reader that sees the stream from its beginning (tail 0-0, nothing trimmed) reports a message whose start is missing, exactly', async () => {
    const { subscriber, append } = setup();
    const subscription = subscriber.open(TASK);
    expect((await subscription.ready).startId).toBe('0-0');
    const run = consume(subscription);
    await append([delta(0, 0), delta(1, 3), delta(1, 4)]);
    await settle();
    expect(shape(run.items)).toEqual(['0/0', 'gap:seq', '1/3', '1/4']);
    expect(run.items[1]!.event).toMatchObject({ messageKey: 'index:1', fromSeq: 0, toSeq: 2, exact: true });
    subscription.close();
    await run.finished;
  });

  it('a tail-snapshot start reports no gap for messages already in progress', async () => {
    const { subscriber, append } = setup();
    await append([delta(0, 0), delta(0, 1)]);
    const subscription = subscriber.open(TASK);
    await subscription.ready;
    const run = consume(subscription);
    await append([delta(0, 2), delta(0, 3), done(0, 4)]);
    await settle();
    expect(shape(run.items)).toEqual(['0/2', '0/3', '0/4']);
    subscription.close();
    await run.finished;
  });
});

describe('subscriber: a resume point from an earlier incarnation of the stream', () => {
  /** Message 0 seq 0..99 read, 100..199 lost with the stream, 200..209 and done written to the new one. */
  async function lostIncarnation() {
    const ctx = setup();
    const old = await ctx.append(Array.from({ length: 100 }, (_, seq) => delta(0, seq)));
    await ctx.memory.deleteTopic(TOPIC);
    await ctx.clock.advance(1_000);
    const fresh = await ctx.append([...Array.from({ length: 10 }, (_, i) => delta(0, 200 + i)), done(0, 210)]);
    return { ...ctx, resumeId: old[99]!, fresh };
  }

  it('yields a reset gap first, then a seq gap naming 0..199 before seq 200 (the reader knows it holds 0..99)', async () => {
    const { subscriber, resumeId, fresh } = await lostIncarnation();
    const subscription = subscriber.open(TASK, { lastEventId: resumeId });
    const start = await subscription.ready;
    expect(start.gap).toEqual({ type: 'gap', reason: 'reset', resumeId, firstRetainedId: fresh[0], trimmed: 0 });
    const run = consume(subscription);
    await settle();
    expect(shape(run.items).slice(0, 3)).toEqual(['gap:reset', 'gap:seq', '0/200']);
    expect(run.items[1]!.event).toEqual({
      type: 'gap', reason: 'seq', resumeId, firstRetainedId: fresh[0], trimmed: 0, messageKey: 'index:0', messageIndex: 0, fromSeq: 0, toSeq: 199, exact: false,
    });
    expect(run.items.slice(2).map((i) => i.id)).toEqual(fresh);
    subscription.close();
    await run.finished;
  });

  it('with knownSeqs from the stopped subscription, the seq gap names exactly 100..199', async () => {
    const ctx = setup();
    const old = await ctx.append(Array.from({ length: 100 }, (_, seq) => delta(0, seq)));
    const first = ctx.subscriber.open(TASK, { lastEventId: '0-0', limit: 100 });
    const firstRun = consume(first);
    await firstRun.finished;
    expect(firstRun.items.map((i) => i.id)).toEqual(old);
    expect(first.lastSeqs()).toEqual({ 'index:0': 99 });
    await ctx.memory.deleteTopic(TOPIC);
    await ctx.clock.advance(1_000);
    await ctx.append([delta(0, 200), done(0, 201)]);
    const resumed = ctx.subscriber.open(TASK, { lastEventId: old[99], knownSeqs: first.lastSeqs() });
    const run = consume(resumed);
    await settle();
    expect(shape(run.items)).toEqual(['gap:reset', 'gap:seq', '0/200', '0/201']);
    expect(run.items[1]!.event).toMatchObject({ messageKey: 'index:0', fromSeq: 100, toSeq: 199, exact: true });
    expect(resumed.lastSeqs()).toEqual({});
    resumed.close();
    await run.finished;
  });

  it('rejects knownSeqs that are not integers >= 0 with INVALID_ARGUMENT', () => {
    const { subscriber } = setup();
    for (const knownSeqs of [{ 'index:0': -1 }, { 'index:0': 1.5 }, [] as unknown as Record<string, number>, null as unknown as Record<string, number>]) {
      expect(() => subscriber.open(TASK, { knownSeqs })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('a resume point whose stream is missing gets a reset gap before the first entry that appears', async () => {
    const { subscriber, append } = setup();
    const subscription = subscriber.open(TASK, { lastEventId: '1600000000000-3' });
    expect((await subscription.ready).gap).toBeNull();
    const run = consume(subscription);
    await settle();
    expect(run.items).toEqual([]);
    const ids = await append([delta(0, 0), delta(0, 1)]);
    await settle();
    expect(shape(run.items)).toEqual(['gap:reset', '0/0', '0/1']);
    expect(run.items[0]).toEqual({ id: '1600000000000-3', event: { type: 'gap', reason: 'reset', resumeId: '1600000000000-3', firstRetainedId: ids[0], trimmed: 0 } });
    subscription.close();
    await run.finished;
  });

  it('a live reader whose reconnect lands on a stream that lost its entries gets a reset gap, then a seq gap', async () => {
    let failReads = 0;
    const { subscriber, append, memory, clock } = setup({
      wrap: (inner) =>
        wrapRepository(inner, {
          read: (topic, afterId, options) => {
            if (failReads > 0) {
              failReads--;
              return Promise.reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'connection reset'));
            }
            return inner.read(topic, afterId, options);
          },
        }),
      subscriber: { tuning: { blockMs: 0, pollMinMs: 10, pollMaxMs: 10, retryBaseMs: 10, retryMaxMs: 10 } },
    });
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    const run = consume(subscription);
    const old = await append([delta(0, 0), delta(0, 1)]);
    await clock.advance(10);
    await settle();
    expect(run.items.map((i) => i.id)).toEqual(old);
    failReads = 1;
    await memory.deleteTopic(TOPIC);
    await clock.advance(1_000);
    const fresh = await append([delta(0, 5), done(0, 6)]);
    for (let i = 0; i < 5; i++) {
      await clock.advance(10);
      await settle();
    }
    expect(shape(run.items)).toEqual(['0/0', '0/1', 'gap:reset', 'gap:seq', '0/5', '0/6']);
    expect(run.items[2]!.event).toMatchObject({ reason: 'reset', resumeId: old[1], firstRetainedId: fresh[0] });
    expect(run.items[3]!.event).toMatchObject({ reason: 'seq', fromSeq: 2, toSeq: 4, exact: true });
    subscription.close();
    await run.finished;
  });

  it('a resume point that is still an entry gets no reset gap, even across other deletions', async () => {
    const { subscriber, append } = setup();
    const ids = await append([delta(0, 0), delta(0, 1), delta(0, 2)]);
    const subscription = subscriber.open(TASK, { lastEventId: ids[1] });
    expect((await subscription.ready).gap).toBeNull();
    const run = consume(subscription);
    await settle();
    expect(shape(run.items)).toEqual(['0/2']);
    subscription.close();
    await run.finished;
  });
});

describe('agentex codec sanity for these fixtures', () => {
  it('round-trips the parent-keyed delta', () => {
    const event = delta(-1, 3, 'm-a');
    const decoded = agentexCodec.decode({ id: '1-0', fields: agentexCodec.encode(event, TASK) });
    expect(decoded).toMatchObject({ index: -1, seq: 3, parentTaskMessage: { id: 'm-a' } });
  });
});
