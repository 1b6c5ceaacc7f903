import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { agentexCodec } from '../../../src/domain/codec/index.js';
import type { EventCodec } from '../../../src/domain/codec/event-codec.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { SubscriptionItem } from '../../../src/domain/events.js';
import type { Logger } from '../../../src/ports/logger.js';
import type { ReadOptions, StreamRepository } from '../../../src/ports/stream-repository.js';
import { consume, seqs, settle, setup, status, TASK, TOPIC } from './harness.js';

// The read loop of a subscription: blocking vs polling, the trimming check of a reader that falls
// behind (when it runs, what a failing check does), limits, a throwing codec, and what is logged.

function recordingLogger() {
  const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message: string, fields?: Record<string, unknown>) => void warnings.push({ message, fields }),
    error() {},
  };
  return { logger, warnings };
}

/** Appends 300 entries one by one with maxLen 10 (the memory backend trims in whole nodes, like Redis). */
async function overrun(env: ReturnType<typeof setup>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 300; i++) ids.push(...(await env.append([status(i)], { maxLen: 10, ttlSeconds: 600 })));
  return ids;
}

/** Takes the first item of a subscription opened at the tail, then leaves the reader parked while `during` runs. */
async function parkedReader(env: ReturnType<typeof setup>, options: Parameters<ReturnType<typeof setup>['subscriber']['open']>[1] = {}) {
  const subscription = env.subscriber.open(TASK, options);
  await subscription.ready;
  const iterator = subscription[Symbol.asyncIterator]();
  const first = iterator.next();
  await settle();
  return { subscription, iterator, first };
}

describe('subscription reading: blocking or polling', () => {
  it('blockMs 0 on a backend that can block: polls with non-blocking reads, backing off while idle', async () => {
    const reads: { at: number; options: ReadOptions | undefined }[] = [];
    let now = (): number => 0;
    const env = setup({
      wrap: (inner) => wrapRepository(inner, { read: (topic, after, options) => (reads.push({ at: now(), options }), inner.read(topic, after, options)) }),
      subscriber: { tuning: { blockMs: 0, pollMinMs: 10, pollMaxMs: 40 } },
    });
    now = () => env.clock.now();
    const subscription = env.subscriber.open(TASK);
    const run = consume(subscription);
    await settle();
    const t0 = env.clock.now();
    await env.clock.advance(200);
    expect(reads.every((r) => r.options?.blockMs === undefined)).toBe(true);
    expect(reads.slice(0, 5).map((r) => r.at - t0)).toEqual([0, 10, 30, 70, 110]);
    expect(env.memory.waitingReads).toBe(0);
    subscription.close();
    await run.finished;
  });
});

describe('subscription reading: a reader that falls behind trimming', () => {
  it('a full page of maxLen entries triggers the check even when count is larger (the maxLen hint)', async () => {
    const env = setup({ subscriber: { settings: { maxLen: 10 }, tuning: { count: 1_000 } } });
    const { subscription, iterator, first } = await parkedReader(env);
    const ids = await overrun(env);
    const items: SubscriptionItem[] = [(await first).value!];
    while (items.at(-1)!.id !== ids[299]) items.push((await iterator.next()).value!);
    const info = (await env.memory.info(TOPIC))!;
    expect(items[0]!.id).toBe(ids[0]);
    expect(items[1]).toEqual({ id: ids[0], event: { type: 'gap', reason: 'trimmed', resumeId: ids[0], firstRetainedId: info.firstId, trimmed: 300 - info.length } });
    expect(items.slice(2).map((i) => i.id)).toEqual(ids.slice(300 - info.length));
    subscription.close();
  });

  it('a limit reached by the gap item stops right after it', async () => {
    const env = setup({ subscriber: { settings: { maxLen: 10 }, tuning: { count: 1_000 } } });
    const { iterator, first } = await parkedReader(env, { limit: 2 });
    await overrun(env);
    expect((await first).value!.event.type).toBe('task_updated');
    expect((await iterator.next()).value!.event.type).toBe('gap');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('a failing trimming check is no gap: a warning, and reading goes on without loss after the hole', async () => {
    const { logger, warnings } = recordingLogger();
    let failInfo = false;
    const env = setup({
      wrap: (inner) => wrapRepository(inner, { info: (topic) => (failInfo ? Promise.reject(new Error('info down')) : inner.info(topic)) }),
      subscriber: { settings: { maxLen: 10 }, tuning: { count: 5 }, logger },
    });
    const { subscription, iterator, first } = await parkedReader(env);
    failInfo = true;
    const ids = await overrun(env);
    const items: SubscriptionItem[] = [(await first).value!];
    while (items.at(-1)!.id !== ids[299]) items.push((await iterator.next()).value!);
    expect(items.some((i) => i.event.type === 'gap')).toBe(false);
    expect(warnings.filter((w) => w.fields?.['error'] === 'info down').length).toBeGreaterThan(0);
    expect(warnings[0]!.fields).toMatchObject({ topic: TOPIC, error: 'info down' });
    subscription.close();
  });

  it('a stream gone by the time of the check (info null) is no gap', async () => {
    let infoNull = false;
    const env = setup({
      wrap: (inner) => wrapRepository(inner, { info: (topic) => (infoNull ? Promise.resolve(null) : inner.info(topic)) }),
      subscriber: { settings: { maxLen: 10 }, tuning: { count: 5 } },
    });
    const { subscription, iterator, first } = await parkedReader(env);
    infoNull = true;
    const ids = await overrun(env);
    const items: SubscriptionItem[] = [(await first).value!];
    while (items.at(-1)!.id !== ids[299]) items.push((await iterator.next()).value!);
    expect(items.some((i) => i.event.type === 'gap')).toBe(false);
    subscription.close();
  });
});

describe('subscription reading: failures and stopping', () => {
  it('close() while a failed read waits for its retry: the iterator returns quietly, no further read', async () => {
    let reads = 0;
    const env = setup({
      wrap: (inner) => wrapRepository(inner, { read: () => (reads++, Promise.reject(new Error('ECONNRESET'))) }),
      subscriber: { tuning: { retryBaseMs: 1_000, retryMaxMs: 1_000 } },
    });
    const subscription = env.subscriber.open(TASK);
    const run = consume(subscription);
    await settle();
    expect(reads).toBe(1);
    subscription.close();
    await run.finished;
    await env.clock.advance(5_000);
    expect(run.state.error).toBeUndefined();
    expect(reads).toBe(1);
    expect(env.clock.pendingCount).toBe(0);
  });

  it('logs each retried read with the operation, attempt and delay', async () => {
    const { logger, warnings } = recordingLogger();
    let failures = 2;
    const env = setup({
      wrap: (inner) => wrapRepository(inner, { read: (t, a, o) => (failures-- > 0 ? Promise.reject(new Error('ECONNRESET')) : inner.read(t, a, o)) }),
      subscriber: { tuning: { retryBaseMs: 10, retryMaxMs: 100 }, logger },
    });
    await env.append([status(1)]);
    const run = consume(env.subscriber.open(TASK, { lastEventId: '0-0', limit: 1 }));
    await settle();
    await env.clock.advance(30);
    await run.finished;
    expect(seqs(run.items)).toEqual([1]);
    expect(warnings.map((w) => w.fields)).toEqual([
      { operation: 'read', topic: TOPIC, attempt: 1, delayMs: 10, error: 'ECONNRESET' },
      { operation: 'read', topic: TOPIC, attempt: 2, delayMs: 20, error: 'ECONNRESET' },
    ]);
  });

  it('a codec that throws yields a decode_error item (DECODE_FAILED, raw fields) and reading goes on', async () => {
    const codec: EventCodec = {
      ...agentexCodec,
      decode: (entry) => {
        if (entry.fields['boom'] !== undefined) throw new Error('codec bug');
        return agentexCodec.decode(entry);
      },
    };
    const env = setup({ subscriber: { codec } });
    await env.append([status(1)]);
    const { ids } = await env.memory.append({ topic: TOPIC, entries: [{ boom: 'x' }], maxLen: 0, ttlSeconds: 0 });
    await env.append([status(2)]);
    const run = consume(env.subscriber.open(TASK, { lastEventId: '0-0', limit: 3 }));
    await run.finished;
    expect(seqs(run.items)).toEqual([1, 'decode_error', 2]);
    const bad = run.items[1]!;
    expect(bad.id).toBe(ids[0]);
    expect(bad.event).toMatchObject({ type: 'decode_error', raw: { boom: 'x' } });
    const error = (bad.event as { error: unknown }).error;
    expect(TaskStreamError.is(error, 'DECODE_FAILED')).toBe(true);
    expect((error as TaskStreamError).details).toMatchObject({ id: ids[0] });
  });

  it('entries a broken backend hands back at or before the cursor are skipped with a warning counting them', async () => {
    const { logger, warnings } = recordingLogger();
    const env = setup({ wrap: (inner) => wrapRepository(inner, { read: (t, _after, o) => inner.read(t, '0-0', o) }), subscriber: { logger } });
    const ids = await env.append([status(0), status(1)]);
    const subscription = env.subscriber.open(TASK, { lastEventId: ids[0]! });
    const run = consume(subscription);
    await settle();
    expect(seqs(run.items)).toEqual([1]);
    expect(warnings[0]!.fields).toEqual({ topic: TOPIC, cursor: ids[0], skipped: 1 });
    subscription.close();
    await run.finished;
  });
});

describe('subscription reading: edges the mutation run found unpinned', () => {
  const delta = (seq: number) => ({ type: 'delta', index: 0, seq, delta: { type: 'text', textDelta: String(seq) } }) as const;

  it('a seq hole yields a gap before the entry that revealed it; a limit reached on it stops there', async () => {
    for (const [limit, expected] of [
      [2, [0, 'gap']],
      [10, [0, 'gap', 2]],
    ] as const) {
      const env = setup();
      const subscription = env.subscriber.open(TASK, { limit });
      await subscription.ready;
      await env.append([delta(0), delta(2)]);
      const run = consume(subscription);
      await settle();
      expect(run.items.map((i) => (i.event.type === 'delta' ? i.event.seq : i.event.type))).toEqual(expected);
      expect(run.items[1]!.event).toMatchObject({ type: 'gap', reason: 'seq' });
      subscription.close();
      await run.finished;
    }
  });

  it('close() on receiving a gap item: the next next() is done, nothing more is yielded', async () => {
    const env = setup();
    const subscription = env.subscriber.open(TASK);
    await subscription.ready;
    await env.append([delta(0), delta(2)]);
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).value!.event.type).toBe('delta');
    expect((await iterator.next()).value!.event.type).toBe('gap');
    subscription.close();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('a trimming gap in the loop does not end a subscription whose limit is not reached', async () => {
    const env = setup({ subscriber: { settings: { maxLen: 10 }, tuning: { count: 5 } } });
    const { iterator, first } = await parkedReader(env, { limit: 100 });
    await overrun(env);
    expect((await first).value!.event.type).toBe('task_updated');
    expect((await iterator.next()).value!.event.type).toBe('gap');
    expect((await iterator.next()).value!.event.type).toBe('task_updated');
  });

  it('a read retried while the reader fell behind still reports the trimming gap, and checks its position once', async () => {
    let failNextRead = false;
    let infos = 0;
    const env = setup({
      wrap: (inner) =>
        wrapRepository(inner, {
          read: (t, a, o) => {
            if (failNextRead) {
              failNextRead = false;
              return Promise.reject(new Error('ECONNRESET'));
            }
            return inner.read(t, a, o);
          },
          info: (topic) => (infos++, inner.info(topic)),
        }),
      subscriber: { settings: { maxLen: 10 }, tuning: { count: 5, retryBaseMs: 1 } },
    });
    const { subscription, iterator, first } = await parkedReader(env);
    const ids = await overrun(env);
    await first;
    failNextRead = true;
    const next = iterator.next();
    await settle();
    await env.clock.advance(1);
    expect((await next).value!.event).toMatchObject({ type: 'gap', reason: 'trimmed' });
    const infosAfterGap = infos;
    const items: SubscriptionItem[] = [];
    while (items.at(-1)?.id !== ids[299]) items.push((await iterator.next()).value!);
    expect(items.every((i) => i.event.type === 'task_updated')).toBe(true);
    // Full pages still get the trimming check (one info each), but no further position check (info + read).
    const fullPages = Math.floor(items.length / 5);
    expect(infos - infosAfterGap).toBeLessThanOrEqual(fullPages);
    subscription.close();
  });

  it('with maxLen 0 (untrimmed streams), a page smaller than count costs no trimming check', async () => {
    let infos = 0;
    const env = setup({ wrap: (inner) => wrapRepository(inner, { info: (t) => (infos++, inner.info(t)) }), subscriber: { settings: { maxLen: 0 }, tuning: { count: 10 } } });
    const subscription = env.subscriber.open(TASK);
    await subscription.ready;
    await env.append([status(1), status(2)]);
    const run = consume(subscription);
    await settle();
    expect(seqs(run.items)).toEqual([1, 2]);
    expect(infos).toBe(0);
    subscription.close();
    await run.finished;
  });

  it('polling reads ask for count entries', async () => {
    const counts: (number | undefined)[] = [];
    const env = setup({
      wrap: (inner) => ({ ...wrapRepository(inner, { read: (t, a, o) => (counts.push(o?.count), inner.read(t, a, o)) }), capabilities: { ...inner.capabilities, blockingReads: false } }),
      subscriber: { tuning: { count: 7 } },
    });
    const subscription = env.subscriber.open(TASK);
    const run = consume(subscription);
    await settle();
    await env.clock.advance(100);
    expect(counts.length).toBeGreaterThan(1);
    expect(counts.every((c) => c === 7)).toBe(true);
    subscription.close();
    await run.finished;
  });

  it('a blocking read that waited its full blockMs (= pollMinMs) is not taken for a spin: the next read follows at once', async () => {
    const at: number[] = [];
    let now = (): number => 0;
    const env = setup({
      wrap: (inner) => wrapRepository(inner, { read: (t, a, o) => (at.push(now()), inner.read(t, a, o)) }),
      subscriber: { tuning: { blockMs: 25, pollMinMs: 25, pollMaxMs: 1_000 } },
    });
    now = () => env.clock.now();
    const subscription = env.subscriber.open(TASK);
    const run = consume(subscription);
    await settle();
    const t0 = env.clock.now();
    for (let i = 0; i < 4; i++) await env.clock.advance(25);
    expect(at.map((t) => t - t0)).toEqual([0, 25, 50, 75, 100]);
    subscription.close();
    await run.finished;
  });

  it('a blocking backend that waits, then hands back only stale entries: backed-off polling, not an immediate re-read', async () => {
    const at: number[] = [];
    let env!: ReturnType<typeof setup>;
    env = setup({
      wrap: (inner) =>
        wrapRepository(inner, {
          read: async (t, _after, o) => {
            at.push(env.clock.now());
            const blockMs = o?.blockMs ?? 0;
            if (blockMs > 0) await new Promise<void>((resolve) => env.clock.setTimeout(resolve, blockMs));
            return inner.read(t, '0-0', { count: o?.count ?? 10 });
          },
        }),
      subscriber: { tuning: { blockMs: 100, pollMinMs: 25, pollMaxMs: 1_000 } },
    });
    const ids = await env.append([status(1)]);
    const subscription = env.subscriber.open(TASK, { lastEventId: ids[0]! });
    await subscription.ready;
    at.length = 0;
    const run = consume(subscription);
    await settle();
    const t0 = env.clock.now();
    for (let i = 0; i < 20; i++) await env.clock.advance(10);
    // Each read waits 100 ms and returns only the entry at the cursor; then the poll interval follows.
    expect(at.slice(0, 2).map((t) => t - t0)).toEqual([0, 125]);
    expect(run.items).toEqual([]);
    subscription.close();
    // This read ignores the abort signal: let it time out.
    await env.clock.advance(200);
    await run.finished;
  });

  it('without a logger, skipped stale entries and a failing trimming check do not end the subscription', async () => {
    let failInfo = false;
    const env = setup({
      wrap: (inner) =>
        wrapRepository(inner, {
          info: (topic) => (failInfo ? Promise.reject(new Error('info down')) : inner.info(topic)),
        }),
      subscriber: { settings: { maxLen: 10 }, tuning: { count: 5 } },
    });
    const { subscription, iterator, first } = await parkedReader(env);
    failInfo = true;
    const ids = await overrun(env);
    const items: SubscriptionItem[] = [(await first).value!];
    while (items.at(-1)!.id !== ids[299]) items.push((await iterator.next()).value!);
    expect(items.some((i) => i.event.type === 'gap')).toBe(false);
    subscription.close();

    const stale = setup({ wrap: (inner) => wrapRepository(inner, { read: (t, _after, o) => inner.read(t, '0-0', o) }) });
    await stale.append([status(0), status(1)]);
    const run = consume(stale.subscriber.open(TASK, { lastEventId: '0-0' }));
    await settle();
    await stale.clock.advance(5_000);
    expect(seqs(run.items)).toEqual([0, 1]);
    expect(run.state.done).toBe(false);
    expect(run.state.error).toBeUndefined();
  });

  it('leaves no listener on the caller signal once the subscription ends', async () => {
    const env = setup();
    const controller = new AbortController();
    await env.append([status(1)]);
    const run = consume(env.subscriber.open(TASK, { lastEventId: '0-0', limit: 1, signal: controller.signal }));
    await run.finished;
    expect(seqs(run.items)).toEqual([1]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('a non-transient failure after close() is ABORTED too, not the backend error', async () => {
    let subscription: { close(): void } | undefined;
    const env = setup({
      wrap: (inner) =>
        wrapRepository(inner, {
          tailId: async () => {
            await Promise.resolve();
            subscription?.close();
            throw new TaskStreamError('BACKEND_AUTH', 'denied');
          },
        }),
    });
    const opened = env.subscriber.open(TASK);
    subscription = opened;
    await expect(opened.ready).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('subscription iterator: throw()', () => {
  it('throw() stops the subscription (the pending read ends) and rethrows the error', async () => {
    const env = setup();
    const subscription = env.subscriber.open(TASK);
    await subscription.ready;
    const iterator = subscription[Symbol.asyncIterator]();
    const pending = iterator.next();
    await settle();
    expect(env.memory.waitingReads).toBe(1);
    const boom = new Error('consumer failed');
    await expect(iterator.throw!(boom)).rejects.toBe(boom);
    expect(await pending).toEqual({ done: true, value: undefined });
    await settle();
    expect(env.memory.waitingReads).toBe(0);
  });
});
