import { describe, expect, it } from 'vitest';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { SubscriptionItem, TaskEvent } from '../../../src/domain/events.js';
import { formatStreamId, parseStreamId } from '../../../src/domain/stream-id.js';
import type { Logger } from '../../../src/ports/logger.js';
import type { StreamInfo, StreamRepository } from '../../../src/ports/stream-repository.js';
import { consume, settle, setup, status, TASK, TOPIC } from './harness.js';

// The gap checks of a subscription at their edges (issue 14), through the subscriber and the
// memory backend: resume points at explicitly deleted ids, the checks after a reconnect and on a
// full page when the stream is gone or the check fails, and what a reset means for messages first
// seen after it.

function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message: string) => void warnings.push(message), error() {} };
  return { logger, warnings };
}

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

describe('checks on a gone stream or a failing backend are no gap, and quiet when nothing failed', () => {
  it('a full page while the stream is gone (info null): no gap, no warning', async () => {
    const { logger, warnings } = recordingLogger();
    let infos = 0;
    const { subscriber, append } = setup({
      wrap: (inner) => wrapRepository(inner, { info: async () => (infos++, null) }),
      subscriber: { logger, tuning: { count: 1 } },
    });
    const subscription = subscriber.open(TASK);
    await subscription.ready;
    const run = consume(subscription);
    await settle();
    await append([status(1), status(2)]);
    await settle();
    expect(shape(run.items)).toEqual(['RUNNING', 'RUNNING']);
    expect(infos).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
    subscription.close();
    await run.finished;
  });

  /** A polling reader whose next read fails once (a reconnect), with `info` as given. */
  function reconnecting(info: (inner: StreamRepository, topic: string) => Promise<StreamInfo | null>) {
    const { logger, warnings } = recordingLogger();
    let failReads = 0;
    const env = setup({
      wrap: (inner) =>
        wrapRepository(inner, {
          read: (t, a, o) => (failReads > 0 ? (failReads--, Promise.reject(new Error('ECONNRESET'))) : inner.read(t, a, o)),
          info: (topic) => info(inner, topic),
        }),
      subscriber: { logger, tuning: { blockMs: 0, pollMinMs: 10, pollMaxMs: 10, retryBaseMs: 10, maxRetries: 0 } },
    });
    return { env, warnings, failNextRead: () => (failReads = 1) };
  }

  it('after a reconnect, a stream gone by the check (info null): no gap, only the retry is logged', async () => {
    const { env, warnings, failNextRead } = reconnecting(async () => null);
    const subscription = env.subscriber.open(TASK, { maxRetries: 1 });
    await subscription.ready;
    const run = consume(subscription);
    await settle();
    failNextRead();
    await env.append([status(1)]);
    await env.clock.advance(40);
    expect(shape(run.items)).toEqual(['RUNNING']);
    expect(warnings).toEqual(['taskstream subscriber: backend call failed, retrying']);
    subscription.close();
    await run.finished;
  });

  it('after a reconnect, a position check that fails: a warning, no gap, and reading goes on', async () => {
    const { env, warnings, failNextRead } = reconnecting(async () => {
      throw new TaskStreamError('BACKEND_COMMAND', 'no INFO for you');
    });
    const subscription = env.subscriber.open(TASK, { maxRetries: 1 });
    await subscription.ready;
    const run = consume(subscription);
    await settle();
    failNextRead();
    await env.append([status(1)]);
    await env.clock.advance(40);
    await env.append([status(2)]);
    await env.clock.advance(20);
    expect(shape(run.items)).toEqual(['RUNNING', 'RUNNING']);
    // The failed check is a failed backend call too: it runs again on the next page.
    expect(warnings.slice(0, 2)).toEqual(['taskstream subscriber: backend call failed, retrying', 'taskstream subscriber: position check after a reconnect failed']);
    subscription.close();
    await run.finished;
    expect(run.state.error).toBeUndefined();
  });
});

describe('messages first seen after a reconnect', () => {
  it('on the same stream: a message first seen mid-way is no gap (the reader started at a tail snapshot)', async () => {
    const { env, failNextRead } = reconnecting2();
    await env.append([delta(0, 0)]);
    const subscription = env.subscriber.open(TASK);
    await subscription.ready;
    const run = consume(subscription);
    await settle();
    failNextRead();
    await env.append([delta(1, 3)]);
    await env.clock.advance(40);
    expect(shape(run.items)).toEqual(['1/3']);
    subscription.close();
    await run.finished;
  });

  it('on a stream lost and written again: a message first seen mid-way is an inexact seq gap from 0', async () => {
    const { env, failNextRead } = reconnecting2();
    await env.append([delta(2, 0)]);
    const subscription = env.subscriber.open(TASK);
    await subscription.ready;
    const run = consume(subscription);
    await settle();
    await env.append([delta(0, 0), delta(0, 1)]);
    await env.clock.advance(20);
    await env.memory.deleteTopic(TOPIC);
    await env.clock.advance(5);
    await env.append([delta(1, 3)]);
    failNextRead();
    await env.clock.advance(40);
    expect(shape(run.items)).toEqual(['0/0', '0/1', 'gap:reset', 'gap:seq', '1/3']);
    expect(run.items[3]!.event).toMatchObject({ messageKey: 'index:1', fromSeq: 0, toSeq: 2, exact: false });
    subscription.close();
    await run.finished;
  });

  function reconnecting2() {
    let failReads = 0;
    const env = setup({
      wrap: (inner) => wrapRepository(inner, { read: (t, a, o) => (failReads > 0 ? (failReads--, Promise.reject(new Error('ECONNRESET'))) : inner.read(t, a, o)) }),
      subscriber: { tuning: { blockMs: 0, pollMinMs: 10, pollMaxMs: 10, retryBaseMs: 10 } },
    });
    return { env, failNextRead: () => (failReads = 1) };
  }
});

describe('a trimming gap found right after a reconnect', () => {
  it('is the only check of that read: one info call, no position check', async () => {
    let failNextRead = false;
    let infos = 0;
    const env = setup({
      wrap: (inner) =>
        wrapRepository(inner, {
          read: (t, a, o) => {
            if (!failNextRead) return inner.read(t, a, o);
            failNextRead = false;
            return Promise.reject(new Error('ECONNRESET'));
          },
          info: (topic) => (infos++, inner.info(topic)),
        }),
      subscriber: { settings: { maxLen: 10 }, tuning: { count: 5, retryBaseMs: 1 } },
    });
    const subscription = env.subscriber.open(TASK);
    await subscription.ready;
    const iterator = subscription[Symbol.asyncIterator]();
    const first = iterator.next();
    await settle();
    for (let i = 0; i < 300; i++) await env.append([status(i)], { maxLen: 10, ttlSeconds: 600 });
    await first;
    failNextRead = true;
    const before = infos;
    const next = iterator.next();
    await settle();
    await env.clock.advance(1);
    expect((await next).value!.event).toMatchObject({ type: 'gap', reason: 'trimmed' });
    expect(infos - before).toBe(1);
    subscription.close();
  });
});
