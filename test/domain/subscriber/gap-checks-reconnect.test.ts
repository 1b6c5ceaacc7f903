import { describe, expect, it } from 'vitest';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { SubscriptionItem, TaskEvent } from '../../../src/domain/events.js';
import type { Logger } from '../../../src/ports/logger.js';
import type { StreamInfo, StreamRepository } from '../../../src/ports/stream-repository.js';
import { consume, settle, setup, status, TASK, TOPIC } from './harness.js';

// The gap checks of the read loop at their edges (issue 14), through the subscriber and the memory
// backend: the checks after a reconnect and on a full page when the stream is gone or the check
// fails, what a reset means for messages first seen after it, and the cost of a trimming gap.

function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message: string) => void warnings.push(message), error() {} };
  return { logger, warnings };
}

const delta = (index: number, seq: number): TaskEvent => ({ type: 'delta', index, seq, delta: { type: 'text', textDelta: `s${seq}` } });

/** Each item as `gap:<reason>`, `<index>/<seq>` for message events, or the task status. */
function shape(items: readonly SubscriptionItem[]): string[] {
  return items.map(({ event }) => {
    if (event.type === 'gap') return `gap:${event.reason}`;
    if ('index' in event) return `${event.index}/${event.seq}`;
    return event.type === 'task_updated' ? event.status : event.type;
  });
}

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
