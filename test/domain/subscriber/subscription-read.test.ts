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
