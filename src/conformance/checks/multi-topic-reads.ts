import type { TopicEntries } from '../../ports/stream-repository.js';
import { RULES, ensure, ensureEqual } from '../failure.js';
import type { ConformanceCheck } from '../types.js';
import { appendProbes, needsBlocking, numbers } from './support.js';

const M = 'multi-topic-reads';

/** topic -> entry numbers, for order-independent comparison of a readMany result. */
function byTopic(result: readonly TopicEntries[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const { topic, entries } of result) {
    if (out[topic] !== undefined) throw new Error(`readMany returned topic ${topic} twice`);
    out[topic] = numbers(entries);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function sorted(record: Record<string, number[]>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(record).sort(([x], [y]) => x.localeCompare(y)));
}

export const multiTopicReadsChecks: readonly ConformanceCheck[] = [
  {
    id: `${M}/each-after-its-cursor`,
    rule: RULES.readsAfter,
    title: 'readMany returns each topic strictly after its own cursor, leaves out topics with nothing new, honours count',
    async run(ctx) {
      const [a, b, c] = [ctx.topic('a'), ctx.topic('b'), ctx.topic('c')];
      const aIds = await appendProbes(ctx, a, 0, 4, { batch: 4 });
      await appendProbes(ctx, c, 10, 3);
      const cursors = [
        { topic: a, afterId: aIds[1]! },
        { topic: b, afterId: '0-0' },
        { topic: c, afterId: '0-0' },
      ];
      const all = await ctx.repository.readMany(cursors, { count: 100 });
      ensureEqual(byTopic(all), sorted({ [a]: [2, 3], [c]: [10, 11, 12] }), RULES.readsAfter, 'readMany over a (after its 2nd id), b (missing), c (all)');
      const limited = await ctx.repository.readMany(cursors, { count: 1 });
      ensureEqual(byTopic(limited), sorted({ [a]: [2], [c]: [10] }), RULES.readsAfter, 'readMany with count 1');
      const none = await ctx.repository.readMany([{ topic: a, afterId: aIds[3]! }, { topic: b, afterId: '0-0' }], { count: 10 });
      ensureEqual(none, [], RULES.readsAfter, 'readMany with nothing new');
    },
  },
  {
    id: `${M}/blocking-wakes-on-any-topic`,
    rule: RULES.blocking,
    title: 'a blocking readMany waits while all topics are empty and wakes on an append to any of them',
    skipReason: needsBlocking,
    async run(ctx) {
      const [a, b] = [ctx.topic('a'), ctx.topic('b')];
      const blockMs = ctx.time.controllable ? ctx.blockMs * 10 : Math.max(2_000, ctx.blockMs * 20);
      const read = ctx.repository.readMany(
        [
          { topic: a, afterId: '0-0' },
          { topic: b, afterId: '0-0' },
        ],
        { blockMs, count: 10 },
      );
      ensure(await ctx.time.pendingAfter(read, 0), RULES.blocking, 'a blocking readMany over empty topics returned at once');
      await appendProbes(ctx, b, 0, 2, { batch: 2 });
      ensure(await ctx.time.settlesWithin(read, 0), RULES.blocking, 'a blocking readMany was not woken by an append to one of its topics');
      ensureEqual(byTopic(await read), { [b]: [0, 1] }, RULES.blocking, 'entries handed to the woken readMany');
    },
  },
  {
    id: `${M}/blocking-times-out-and-aborts`,
    rule: RULES.blocking,
    title: 'a blocking readMany returns nothing after blockMs, and promptly when aborted',
    skipReason: needsBlocking,
    async run(ctx) {
      const [a, b] = [ctx.topic('a'), ctx.topic('b')];
      const cursors = [
        { topic: a, afterId: '0-0' },
        { topic: b, afterId: '0-0' },
      ];
      const timed = ctx.repository.readMany(cursors, { blockMs: ctx.blockMs, count: 10 });
      ensure(await ctx.time.pendingAfter(timed, Math.floor(ctx.blockMs / 2)), RULES.blocking, 'a blocking readMany returned before half its block');
      ensure(await ctx.time.settlesWithin(timed, ctx.blockMs), RULES.blocking, 'a blocking readMany did not time out');
      ensureEqual(await timed, [], RULES.blocking, 'timed-out readMany');
      const controller = new AbortController();
      const aborted = ctx.repository.readMany(cursors, { blockMs: ctx.blockMs * 20, count: 10, signal: controller.signal });
      await ctx.time.settle();
      controller.abort();
      ensure(await ctx.time.settlesWithin(aborted, 0), RULES.blocking, 'an aborted readMany did not resolve promptly');
      ensureEqual(await aborted, [], RULES.blocking, 'aborted readMany');
    },
  },
];
