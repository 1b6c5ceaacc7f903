import { wrapRepository } from '../wrap-repository.js';
import fc from 'fast-check';
import { createSubscriber } from '../../defaults.js';
import type { Subscription } from '../../domain/subscriber/index.js';
import type { SubscriptionItem } from '../../domain/events.js';
import { compareStreamIds, type StreamId } from '../../domain/stream-id.js';
import { ConformanceFailure, RULES, ensure, ensureEqual, show } from '../failure.js';
import { checkProperty, historySize } from '../property.js';
import { probeCodec } from '../probe-codec.js';
import type { StreamRepository } from '../../ports/stream-repository.js';
import type { CheckContext, ConformanceCheck } from '../types.js';
import { KEEP } from './support.js';

const M = 'subscriber-no-drop';
const MAX_ITEMS = 5_000;

type Command =
  | { readonly kind: 'append'; readonly size: number }
  | { readonly kind: 'concurrent'; readonly sizes: readonly number[] }
  | { readonly kind: 'idle' }
  | { readonly kind: 'race'; readonly size: number }
  | { readonly kind: 'subscribe' }
  | { readonly kind: 'reconnect'; readonly reader: number; readonly how: 'break' | 'abort' }
  | { readonly kind: 'close'; readonly reader: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), size: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('concurrent' as const), sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'idle' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('race' as const), size: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'subscribe' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reconnect' as const), reader: fc.nat(3), how: fc.constantFrom('break' as const, 'abort' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), reader: fc.nat(3) }) },
);

interface Session {
  readonly subscription: Subscription;
  readonly iterator: AsyncIterator<SubscriptionItem>;
  readonly controller: AbortController;
  readonly finished: Promise<void>;
  readonly items: SubscriptionItem[];
}

interface Reader {
  readonly startId: StreamId;
  readonly received: SubscriptionItem[];
  session: Session | undefined;
}

/**
 * The repository subscribers read through: a queued hook runs when some subscriber's read has
 * returned but before the subscriber sees the result, so an append lands exactly in the window
 * between two reads (where a `$`-style reader loses it).
 */
function racy(inner: StreamRepository, hooks: (() => Promise<void>)[]): StreamRepository {
  return wrapRepository(inner, {
    async read(topic, afterId, options) {
      const entries = await inner.read(topic, afterId, options);
      await hooks.shift()?.();
      return entries;
    },
  });
}

/** Opens a subscription and starts consuming it in the background. */
async function openSession(ctx: CheckContext, repository: StreamRepository, taskId: string, received: SubscriptionItem[], lastEventId?: StreamId): Promise<{ session: Session; startId: StreamId }> {
  const subscriber = createSubscriber({ repository, codec: probeCodec, clock: ctx.time.clock, settings: { keyPrefix: '' } });
  const controller = new AbortController();
  const poll = ctx.time.controllable ? { pollMinMs: 10, pollMaxMs: 200 } : { pollMinMs: 2, pollMaxMs: 20 };
  const subscription = subscriber.open(taskId, { lastEventId: lastEventId ?? null, signal: controller.signal, blockMs: ctx.blockMs, count: 3, ...poll });
  const start = await subscription.ready;
  const iterator = subscription[Symbol.asyncIterator]();
  const items: SubscriptionItem[] = [];
  const finished = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      items.push(next.value);
      received.push(next.value);
      // A subscriber that yields without bound (a duplicating backend) would starve the event loop.
      if (received.length > MAX_ITEMS) {
        await iterator.return?.();
        throw new ConformanceFailure(RULES.noDrop, `a subscriber yielded more than ${MAX_ITEMS} items, far more than were appended`);
      }
    }
  })();
  finished.catch(() => undefined);
  return { session: { subscription, iterator, controller, finished, items }, startId: start.startId };
}

async function stopSession(ctx: CheckContext, session: Session, how: 'break' | 'abort'): Promise<void> {
  if (how === 'abort') session.controller.abort();
  else void session.iterator.return?.();
  ensure(await ctx.time.settlesWithin(session.finished, 0), RULES.blocking, `a subscriber stopped by ${how} did not end its pending read promptly`);
  await session.finished;
}

async function runHistory(ctx: CheckContext, initial: number, commands: readonly Command[]): Promise<void> {
  const taskId = ctx.topic('sub');
  const appended: { id: StreamId; n: number }[] = [];
  let n = 0;
  const append = async (size: number): Promise<void> => {
    const entries = Array.from({ length: size }, () => ({ n: String(n++) }));
    const { ids } = await ctx.repository.append({ topic: taskId, entries, ...KEEP });
    ids.forEach((id, i) => appended.push({ id, n: Number(entries[i]!.n) }));
  };
  const hooks: (() => Promise<void>)[] = [];
  let racing = 0;
  const repository = racy(ctx.repository, hooks);
  const readers: Reader[] = [];
  const subscribe = async (): Promise<void> => {
    const received: SubscriptionItem[] = [];
    const { session, startId } = await openSession(ctx, repository, taskId, received);
    readers.push({ startId, received, session });
  };
  if (initial > 0) await append(initial);
  await subscribe();
  for (const c of commands) {
    if (c.kind === 'append') await append(c.size);
    else if (c.kind === 'concurrent') await Promise.all(c.sizes.map((size) => append(size)));
    else if (c.kind === 'idle') await ctx.time.pass(ctx.blockMs);
    else if (c.kind === 'race') {
      hooks.push(async () => {
        racing++;
        await append(c.size).finally(() => racing--);
      });
    }
    else if (c.kind === 'subscribe') await subscribe();
    else {
      const reader = readers[c.reader % readers.length]!;
      if (reader.session === undefined) continue;
      await stopSession(ctx, reader.session, c.kind === 'close' ? 'break' : c.how);
      reader.session = undefined;
      if (c.kind === 'reconnect') {
        const last = reader.received[reader.received.length - 1]?.id ?? reader.startId;
        reader.session = (await openSession(ctx, repository, taskId, reader.received, last)).session;
      }
    }
  }
  for (const hook of hooks.splice(0)) await hook();
  await ctx.time.until(() => racing === 0, RULES.noDrop, () => 'an injected append did not finish', 100, ctx.blockMs * 10);
  appended.sort((a, b) => compareStreamIds(a.id, b.id));
  const lastId = appended[appended.length - 1]?.id;
  const caughtUp = (r: Reader): boolean => r.session === undefined || lastId === undefined || compareStreamIds(r.startId, lastId) >= 0 || r.received[r.received.length - 1]?.id === lastId;
  await ctx.time.until(() => readers.every(caughtUp), RULES.noDrop, () => `subscribers did not catch up with ${lastId}: ${show(readers.map((r) => r.received.length))} items`, 100, ctx.blockMs * 20);
  for (const r of readers) if (r.session) await stopSession(ctx, r.session, 'abort');
  for (const [i, r] of readers.entries()) {
    const expected = appended.filter((a) => compareStreamIds(a.id, r.startId) > 0).map((a) => `${a.id}=${a.n}`);
    const got = r.received.map((item) => `${item.id}=${item.event.type === 'task_updated' ? item.event.seq : item.event.type}`);
    const what = `subscriber ${i} (start ${r.startId}) saw`;
    if (r.session === undefined && got.length < expected.length) ensureEqual(got, expected.slice(0, got.length), RULES.noDrop, `${what} (closed early)`);
    else ensureEqual(got, expected, RULES.noDrop, what);
  }
  const info = await ctx.repository.info(taskId);
  ensure((info?.length ?? 0) === appended.length, RULES.deletion, () => `stopping subscribers changed the stream: ${appended.length} appended, info ${show(info)}`);
  await ctx.repository.deleteTopic(taskId);
}

export const subscriberNoDropChecks: readonly ConformanceCheck[] = [
  {
    id: `${M}/no-drop-no-duplicate-in-order`,
    rule: RULES.noDrop,
    title: 'through the subscriber, every reader sees exactly the entries after its start, across appends, idle blocks, reconnects and closes',
    async run(ctx) {
      await checkProperty(
        RULES.noDrop,
        fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.array(command, { maxLength: 40, size: historySize(ctx) }), (initial, commands) => runHistory(ctx, initial, commands)),
        ctx.numRuns,
      );
    },
  },
  {
    id: `${M}/overtaken-reader-gets-gap`,
    rule: RULES.retention,
    title: 'a reader that trimming overtakes gets one gap item, then exactly the retained entries (info tells it)',
    async run(ctx) {
      const taskId = ctx.topic('slow');
      const subscriber = createSubscriber({ repository: ctx.repository, codec: probeCodec, clock: ctx.time.clock, settings: { keyPrefix: '', maxLen: 20 } });
      const subscription = subscriber.open(taskId, { blockMs: ctx.blockMs, count: 10, pollMinMs: 5, pollMaxMs: 50 });
      await subscription.ready;
      const iterator = subscription[Symbol.asyncIterator]();
      const first = iterator.next();
      await ctx.time.settle();
      const ids: StreamId[] = [];
      for (let b = 0; b < 60; b++) {
        const entries = Array.from({ length: 10 }, (_, i) => ({ n: String(b * 10 + i) }));
        ids.push(...(await ctx.repository.append({ topic: taskId, entries, maxLen: 20, ttlSeconds: 600 })).ids);
      }
      const items: SubscriptionItem[] = [];
      const pull = async (next: Promise<IteratorResult<SubscriptionItem>>): Promise<void> => {
        ensure(await ctx.time.settlesWithin(next, ctx.blockMs), RULES.noDrop, () => `the reader stalled after ${items.length} items`);
        const result = await next;
        ensure(!result.done, RULES.noDrop, 'the subscription ended early');
        items.push(result.value);
      };
      await pull(first);
      while (items[items.length - 1]!.id !== ids[ids.length - 1] && items.length < 700) await pull(iterator.next());
      await iterator.return?.();
      const gaps = items.filter((i) => i.event.type === 'gap');
      ensure(gaps.length === 1, RULES.retention, () => `want one gap item for a reader overtaken by trimming, got ${gaps.length}`);
      const at = items.indexOf(gaps[0]!);
      const before = items.slice(0, at).map((i) => i.id);
      const after = items.slice(at + 1).map((i) => i.id);
      ensureEqual(before, ids.slice(0, before.length), RULES.noDrop, 'entries before the gap');
      ensureEqual(after, ids.slice(ids.length - after.length), RULES.noDrop, 'entries after the gap');
      const event = gaps[0]!.event;
      ensure(event.type === 'gap' && event.resumeId === before[before.length - 1] && event.firstRetainedId === after[0] && event.trimmed >= ids.length - before.length - after.length, RULES.info, () => `gap item ${show(gaps[0])} does not describe the hole between ${before[before.length - 1]} and ${after[0]}`);
    },
  },
];
