import { describe, expect, it } from 'vitest';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import type { SubscriptionItem, TaskEvent } from '../../../src/domain/events.js';
import { formatStreamId, parseStreamId } from '../../../src/domain/stream-id.js';
import type { StreamInfo, StreamRepository } from '../../../src/ports/stream-repository.js';
import { consume, settle, setup, status, TASK } from './harness.js';

// The resume checks of a subscription at their edges (issue 14), through the subscriber and the
// memory backend: resume points at explicitly deleted ids, at 0-0, and trimmed ones.

const delta = (index: number, seq: number): TaskEvent => ({ type: 'delta', index, seq, delta: { type: 'text', textDelta: `s${seq}` } });

/** `id` moved by `ms` milliseconds, seq 0. */
const later = (id: string, ms: number): string => formatStreamId({ ms: parseStreamId(id).ms + BigInt(ms), seq: 0n });

/** Each item as `gap:<reason>`, `<index>/<seq>` for message events, or the task status. */
function shape(items: readonly SubscriptionItem[]): string[] {
  return items.map(({ event }) => {
    if (event.type === 'gap') return `gap:${event.reason}`;
    if ('index' in event) return `${event.index}/${event.seq}`;
    return event.type === 'task_updated' ? event.status : event.type;
  });
}

/** A backend whose `info` reports `deleted` as explicitly deleted (XDEL), as the highest id too when it is beyond the entries. */
function withDeletion(deleted: () => string) {
  return (inner: StreamRepository): StreamRepository =>
    wrapRepository(inner, {
      info: async (topic): Promise<StreamInfo | null> => {
        const info = await inner.info(topic);
        if (info === null) return null;
        const lastId = parseStreamId(deleted()).ms > parseStreamId(info.lastId).ms ? deleted() : info.lastId;
        return { ...info, lastId, maxDeletedId: deleted(), entriesAdded: info.entriesAdded + 1 };
      },
    });
}

describe('resuming at an id that was deleted explicitly', () => {
  it('the newest id, deleted, with nothing after it: no gap, not ended, and later entries arrive', async () => {
    let deleted = '';
    const { subscriber, append, clock } = setup({ wrap: withDeletion(() => deleted) });
    const [first] = await append([status(1)]);
    deleted = later(first!, 5);
    const subscription = subscriber.open(TASK, { lastEventId: deleted, untilTerminal: true });
    expect(await subscription.ready).toMatchObject({ startId: deleted, gap: null, ended: false });
    const run = consume(subscription);
    await clock.advance(10);
    await append([status(2, 'COMPLETED')]);
    await settle();
    await run.finished;
    expect(shape(run.items)).toEqual(['COMPLETED']);
  });

  it('an id just before a terminal entry: the terminal entry is not at the resume point, so not ended; it is yielded', async () => {
    let deleted = '';
    const { subscriber, append, clock } = setup({ wrap: withDeletion(() => deleted) });
    const [first] = await append([status(1)]);
    await clock.advance(10);
    const [terminal] = await append([status(2, 'COMPLETED')]);
    deleted = later(first!, 5);
    const subscription = subscriber.open(TASK, { lastEventId: deleted, untilTerminal: true });
    expect(await subscription.ready).toMatchObject({ gap: null, ended: false });
    const run = consume(subscription);
    await run.finished;
    expect(run.items.map((i) => i.id)).toEqual([terminal]);
    expect(shape(run.items)).toEqual(['COMPLETED']);
  });

  it('the entry after it does not seed the message: a hole just after it is still reported', async () => {
    let deleted = '';
    const { subscriber, append, clock } = setup({ wrap: withDeletion(() => deleted) });
    const [first] = await append([delta(0, 0)]);
    await clock.advance(10);
    await append([delta(0, 2), delta(0, 4)]);
    deleted = later(first!, 5);
    const subscription = subscriber.open(TASK, { lastEventId: deleted });
    const run = consume(subscription);
    await settle();
    expect(shape(run.items)).toEqual(['0/2', 'gap:seq', '0/4']);
    subscription.close();
    await run.finished;
  });
});

describe('resuming at 0-0 on a stream nothing was trimmed from', () => {
  it('a message whose first entry is missing is an exact seq gap from 0 (the reader sees the whole stream)', async () => {
    const { subscriber, append } = setup();
    await append([delta(0, 2), delta(0, 3)]);
    const subscription = subscriber.open(TASK, { lastEventId: '0-0' });
    expect((await subscription.ready).gap).toBeNull();
    const run = consume(subscription);
    await settle();
    expect(shape(run.items)).toEqual(['gap:seq', '0/2', '0/3']);
    expect(run.items[0]!.event).toMatchObject({ messageKey: 'index:0', fromSeq: 0, toSeq: 1, exact: true });
    subscription.close();
    await run.finished;
  });
});

describe('a trimmed resume point', () => {
  it('messages first seen after the trimming gap are not seq gaps (their start lies before the resume point)', async () => {
    const { subscriber, append } = setup();
    const ids: string[] = [];
    for (let seq = 0; seq < 300; seq++) ids.push(...(await append([delta(0, seq)], { maxLen: 10, ttlSeconds: 600 })));
    const subscription = subscriber.open(TASK, { lastEventId: ids[5] });
    const start = await subscription.ready;
    expect(start.gap).toMatchObject({ reason: 'trimmed', resumeId: ids[5] });
    const run = consume(subscription);
    await settle();
    const items = shape(run.items);
    expect(items.at(-1)).toBe('0/299');
    expect(items.filter((s) => s.startsWith('gap'))).toEqual(['gap:trimmed']);
    subscription.close();
    await run.finished;
  });
});
