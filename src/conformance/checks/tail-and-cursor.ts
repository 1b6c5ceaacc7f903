import { RULES, ensure, ensureEqual, show } from '../failure.js';
import type { ConformanceCheck } from '../types.js';
import { appendProbes, numbers, readAll } from './support.js';

const M = 'tail-and-cursor';

export const tailAndCursorChecks: readonly ConformanceCheck[] = [
  {
    id: `${M}/missing-topic`,
    rule: RULES.tail,
    title: 'a missing topic has tail 0-0, no entries and no info',
    async run(ctx) {
      const topic = ctx.topic();
      ensureEqual(await ctx.repository.tailId(topic), '0-0', RULES.tail, 'tailId of a missing topic');
      ensureEqual(await ctx.repository.read(topic, '0-0'), [], RULES.readsAfter, 'read of a missing topic');
      ensureEqual(await ctx.repository.info(topic), null, RULES.info, 'info of a missing topic');
      ensureEqual(await ctx.repository.deleteTopic(topic), false, RULES.deletion, 'deleteTopic of a missing topic');
    },
  },
  {
    id: `${M}/tail-tracks-newest`,
    rule: RULES.tail,
    title: 'tailId is the newest id assigned, also after trimming; 0-0 after deleteTopic',
    async run(ctx) {
      const topic = ctx.topic();
      const ids = await appendProbes(ctx, topic, 0, 3, { batch: 3 });
      ensureEqual(await ctx.repository.tailId(topic), ids[2], RULES.tail, 'tailId after a 3-entry batch');
      const more = await appendProbes(ctx, topic, 3, 150, { batch: 15, maxLen: 3 });
      ensureEqual(await ctx.repository.tailId(topic), more[more.length - 1], RULES.tail, 'tailId after trimming appends');
      ensureEqual(await ctx.repository.deleteTopic(topic), true, RULES.deletion, 'deleteTopic of an existing topic');
      ensureEqual(await ctx.repository.tailId(topic), '0-0', RULES.tail, 'tailId after deleteTopic');
      ensureEqual(await ctx.repository.read(topic, '0-0'), [], RULES.deletion, 'read after deleteTopic');
    },
  },
  {
    id: `${M}/snapshot-then-follow`,
    rule: RULES.readsAfter,
    title: 'a reader that snapshots the tail then reads after it sees exactly the later entries',
    async run(ctx) {
      const topic = ctx.topic();
      await appendProbes(ctx, topic, 0, 4, { batch: 2 });
      const tail = await ctx.repository.tailId(topic);
      await appendProbes(ctx, topic, 4, 3);
      ensureEqual(numbers(await readAll(ctx.repository, topic, tail)), [4, 5, 6], RULES.readsAfter, 'entries after the snapshot');
    },
  },
  {
    id: `${M}/no-dollar-after-empty-block`,
    rule: RULES.readsAfter,
    title: 'an entry appended between an empty (timed-out) blocking read and the next read is delivered',
    async run(ctx) {
      const topic = ctx.topic();
      await appendProbes(ctx, topic, 0, 1);
      const cursor = await ctx.repository.tailId(topic);
      const empty = ctx.repository.read(topic, cursor, { blockMs: ctx.blockMs, count: 10 });
      ensure(await ctx.time.settlesWithin(empty, ctx.blockMs + 1), RULES.blocking, `a blocking read of ${ctx.blockMs} ms did not time out`);
      ensureEqual(await empty, [], RULES.readsAfter, 'blocking read with nothing new');
      await appendProbes(ctx, topic, 1, 1);
      const next = await ctx.repository.read(topic, cursor, { count: 10 });
      ensure(numbers(next).join() === '1', RULES.readsAfter, () => `the entry appended after an empty blocking read was not returned by the next read after the same id (got ${show(numbers(next))}): the read resolved a moving position like "$"`);
      const blockingAgain = ctx.repository.read(topic, cursor, { blockMs: ctx.blockMs, count: 10 });
      ensure(await ctx.time.settlesWithin(blockingAgain, 0), RULES.readsAfter, 'a blocking read after the same id waited although an entry was there');
      ensureEqual(numbers(await blockingAgain), [1], RULES.readsAfter, 'blocking read after an empty one');
    },
  },
  {
    id: `${M}/reconnect-with-last-id`,
    rule: RULES.readsAfter,
    title: 'reading again after the last id seen (a reconnect) returns exactly what came after',
    async run(ctx) {
      const topic = ctx.topic();
      const ids = await appendProbes(ctx, topic, 0, 5, { batch: 5 });
      const first = await ctx.repository.read(topic, '0-0', { count: 2 });
      ensureEqual(numbers(first), [0, 1], RULES.readsAfter, 'first page of 2');
      await appendProbes(ctx, topic, 5, 2);
      ensureEqual(numbers(await readAll(ctx.repository, topic, first[1]!.id)), [2, 3, 4, 5, 6], RULES.readsAfter, 'entries after the last id seen');
      ensureEqual(await ctx.repository.read(topic, ids[4]!, { count: 1 }).then(numbers), [5], RULES.readsAfter, 'count 1 after the batch');
    },
  },
];
