import fc from 'fast-check';
import type { EntryFields } from '../../ports/stream-repository.js';
import { parseStreamId, previousStreamId } from '../../domain/stream-id.js';
import { RULES, ensure, ensureEqual, ensureRejects, show } from '../failure.js';
import { checkProperty } from '../property.js';
import type { ConformanceCheck } from '../types.js';
import { KEEP, appendProbes, ensureIncreasing, numbers, readAll, range } from './support.js';

const M = 'ids-and-append';

export const idsAndAppendChecks: readonly ConformanceCheck[] = [
  {
    id: `${M}/ids-increase`,
    rule: RULES.ids,
    title: 'every append gets ms-seq ids, one per entry, greater than all ids before',
    async run(ctx) {
      const topic = ctx.topic();
      const ids = [
        ...(await appendProbes(ctx, topic, 0, 1)),
        ...(await appendProbes(ctx, topic, 1, 5, { batch: 5 })),
        ...(await appendProbes(ctx, topic, 6, 6, { batch: 2 })),
      ];
      ensureIncreasing(ids, RULES.ids, 'ids across appends');
      ensureEqual(await ctx.repository.tailId(topic), ids[ids.length - 1], RULES.tail, 'tailId after appends');
    },
  },
  {
    id: `${M}/ids-after-trim`,
    rule: RULES.ids,
    title: 'ids keep growing after trimming removed the newest-but-one entries',
    async run(ctx) {
      const topic = ctx.topic();
      const before = await appendProbes(ctx, topic, 0, 120, { batch: 10, maxLen: 5 });
      const after = await appendProbes(ctx, topic, 120, 3, { maxLen: 5 });
      ensureIncreasing([...before, ...after], RULES.ids, 'ids across trimming appends');
    },
  },
  {
    id: `${M}/ids-clock-backwards`,
    rule: RULES.ids,
    title: 'ids keep growing when the clock goes backwards',
    skipReason: (_caps, time) => (time.fake?.set ? undefined : 'needs a controllable clock with set()'),
    async run(ctx) {
      const clock = ctx.time.fake!;
      const topic = ctx.topic();
      const first = await appendProbes(ctx, topic, 0, 2, { batch: 2 });
      clock.set!(clock.now() - 60_000);
      const second = await appendProbes(ctx, topic, 2, 3);
      ensureIncreasing([...first, ...second], RULES.ids, 'ids after the clock went back 60 s');
      clock.set!(clock.now() + 120_000);
      const third = await appendProbes(ctx, topic, 5, 1);
      ensure(parseStreamId(third[0]!).ms >= BigInt(Math.floor(clock.now())) - 1n, RULES.ids, () => `after the clock moved ahead the id ${third[0]} should use its time ${clock.now()}`);
    },
  },
  {
    id: `${M}/empty-batch`,
    rule: RULES.order,
    title: 'an empty batch writes nothing and creates no topic',
    async run(ctx) {
      const topic = ctx.topic();
      const result = await ctx.repository.append({ topic, entries: [], ...KEEP });
      ensureEqual(result, { ids: [], duplicates: 0 }, RULES.order, 'empty append result');
      ensureEqual(await ctx.repository.info(topic), null, RULES.order, 'info after an empty append to a missing topic');
      ensureEqual(await ctx.repository.tailId(topic), '0-0', RULES.tail, 'tailId after an empty append');
    },
  },
  {
    id: `${M}/fields-byte-for-byte`,
    rule: RULES.order,
    title: 'fields come back byte for byte and in insertion order (unicode, empty, large values)',
    async run(ctx) {
      const topic = ctx.topic();
      const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,11}$/);
      const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constant(''), fc.string({ minLength: 2000, maxLength: 5000 }));
      const entry = fc.uniqueArray(fc.tuple(name, value), { minLength: 1, maxLength: 6, selector: ([k]) => k });
      await checkProperty(
        RULES.order,
        fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 4 }), async (batch) => {
          const entries: EntryFields[] = batch.map((pairs) => Object.fromEntries(pairs));
          const { ids } = await ctx.repository.append({ topic, entries, ...KEEP });
          const back = await ctx.repository.read(topic, previousStreamId(ids[0]!) ?? '0-0', { count: entries.length });
          ensureEqual(back.map((e) => e.id), ids, RULES.order, 'ids read back');
          ensureEqual(back.map((e) => Object.entries(e.fields)), entries.map((e) => Object.entries(e)), RULES.order, 'fields read back');
        }),
        Math.max(10, Math.floor(ctx.numRuns / 4)),
      );
    },
  },
  {
    id: `${M}/batch-order`,
    rule: RULES.order,
    title: 'a batch is stored in batch order, each entry under the id returned for it',
    async run(ctx) {
      const topic = ctx.topic();
      const ids = await appendProbes(ctx, topic, 0, 12, { batch: 12 });
      const back = await readAll(ctx.repository, topic);
      ensureEqual(numbers(back), range(0, 12), RULES.order, 'entry order of one 12-entry batch');
      ensureEqual(back.map((e) => e.id), ids, RULES.order, 'ids of the batch as read back');
    },
  },
  {
    id: `${M}/concurrent-batches-contiguous`,
    rule: RULES.order,
    title: 'concurrent batches stay contiguous and ordered (atomic batch append)',
    skipReason: (caps) => (caps.atomicBatchAppend ? undefined : 'backend does not append batches atomically'),
    async run(ctx) {
      const topic = ctx.topic();
      const batches = range(0, 6).map((b) => range(b * 5, 5));
      await Promise.all(batches.map((batch) => ctx.repository.append({ topic, entries: batch.map((n) => ({ n: String(n) })), ...KEEP })));
      const seen = numbers(await readAll(ctx.repository, topic));
      ensure(seen.length === 30, RULES.order, () => `30 entries appended concurrently, ${seen.length} read back`);
      for (let i = 0; i < seen.length; i += 5) {
        const chunk = seen.slice(i, i + 5);
        const start = chunk[0]!;
        ensure(start % 5 === 0 && chunk.every((n, j) => n === start + j), RULES.order, () => `batches interleaved or reordered: ${show(seen)}`);
      }
    },
  },
  {
    id: `${M}/closed-rejects`,
    rule: RULES.errors,
    title: 'after close(), calls reject with TaskStreamError CLOSED; close() is idempotent',
    async run(ctx) {
      const topic = ctx.topic();
      await appendProbes(ctx, topic, 0, 1);
      await ctx.repository.close();
      await ctx.repository.close();
      await ensureRejects(() => ctx.repository.append({ topic, entries: [{ n: '1' }], ...KEEP }), 'CLOSED', RULES.errors, 'append after close');
      await ensureRejects(() => ctx.repository.read(topic, '0-0'), 'CLOSED', RULES.errors, 'read after close');
      await ensureRejects(() => ctx.repository.tailId(topic), 'CLOSED', RULES.errors, 'tailId after close');
    },
  },
  {
    id: `${M}/bad-append-rejected`,
    rule: RULES.errors,
    title: 'a malformed append is rejected with INVALID_ARGUMENT and writes nothing',
    async run(ctx) {
      const topic = ctx.topic();
      const kept = await appendProbes(ctx, topic, 0, 2);
      const bad: readonly [string, () => Promise<unknown>][] = [
        ['empty topic', () => ctx.repository.append({ topic: '', entries: [{ n: '1' }], ...KEEP })],
        ['entry with no fields', () => ctx.repository.append({ topic, entries: [{ n: '2' }, {}], ...KEEP })],
        ['non-string field value', () => ctx.repository.append({ topic, entries: [{ n: 3 as unknown as string }], ...KEEP })],
        ['negative maxLen', () => ctx.repository.append({ topic, entries: [{ n: '4' }], maxLen: -1, ttlSeconds: 0 })],
        ['fractional ttlSeconds', () => ctx.repository.append({ topic, entries: [{ n: '5' }], maxLen: 0, ttlSeconds: 1.5 })],
        ['seqs not increasing', () => ctx.repository.append({ topic, entries: [{ n: '6' }, { n: '7' }], ...KEEP, idempotency: { producerId: 'p', seqs: [2, 1] } })],
        ['negative seq', () => ctx.repository.append({ topic, entries: [{ n: '8' }], ...KEEP, idempotency: { producerId: 'p', seqs: [-1] } })],
        ['seqs count differs', () => ctx.repository.append({ topic, entries: [{ n: '9' }], ...KEEP, idempotency: { producerId: 'p', seqs: [1, 2] } })],
        ['reserved producer id', () => ctx.repository.append({ topic, entries: [{ n: '10' }], ...KEEP, idempotency: { producerId: '#done:0', seqs: [1] } })],
        ['empty message key', () => ctx.repository.append({ topic, entries: [{ n: '11' }], ...KEEP, message: { key: '', terminal: true } })],
        ['non-boolean message.terminal', () => ctx.repository.append({ topic, entries: [{ n: '12' }], ...KEEP, message: { key: '0', terminal: 'yes' as unknown as boolean } })],
      ];
      for (const [what, call] of bad) await ensureRejects(call, 'INVALID_ARGUMENT', RULES.errors, what);
      ensureEqual((await readAll(ctx.repository, topic)).map((e) => e.id), kept, RULES.errors, 'entries after rejected appends');
    },
  },
];
