import fc from 'fast-check';
import { RULES, ensure, ensureEqual, show } from '../failure.js';
import { checkProperty } from '../property.js';
import type { ConformanceCheck } from '../types.js';
import { KEEP, appendProbes, farAfter, needsBlocking, numbers, range } from './support.js';

const M = 'reads-and-blocking';

/** A block long enough that "returned before it ran out" proves a wake-up, not a timeout. */
const longBlock = (blockMs: number, controllable: boolean): number => (controllable ? blockMs * 10 : Math.max(2_000, blockMs * 20));

export const readsAndBlockingChecks: readonly ConformanceCheck[] = [
  {
    id: `${M}/strictly-after`,
    rule: RULES.readsAfter,
    title: 'read returns entries with id strictly greater than afterId, in id order, at most count',
    async run(ctx) {
      const topic = ctx.topic();
      const ids = await appendProbes(ctx, topic, 0, 10, { batch: 4 });
      const r = ctx.repository;
      ensureEqual(numbers(await r.read(topic, '0-0', { count: 100 })), range(0, 10), RULES.readsAfter, 'read after 0-0');
      ensureEqual(numbers(await r.read(topic, ids[3]!, { count: 100 })), range(4, 6), RULES.readsAfter, 'read after the 4th id');
      ensureEqual(numbers(await r.read(topic, ids[3]!, { count: 2 })), [4, 5], RULES.readsAfter, 'read after the 4th id, count 2');
      ensureEqual(await r.read(topic, ids[9]!, { count: 100 }), [], RULES.readsAfter, 'read after the newest id');
      ensureEqual(await r.read(topic, farAfter(ids[9]!), { count: 100 }), [], RULES.readsAfter, 'read after an id newer than the stream');
    },
  },
  {
    id: `${M}/paging-reconstructs`,
    rule: RULES.readsAfter,
    title: 'paging with any count after the last id of each page returns every entry exactly once, in order',
    async run(ctx) {
      await checkProperty(
        RULES.readsAfter,
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 9 }), async (batches, count) => {
          const topic = ctx.topic('page');
          let n = 0;
          for (const size of batches) {
            await appendProbes(ctx, topic, n, size, { batch: size });
            n += size;
          }
          const seen: number[] = [];
          let cursor = '0-0';
          for (let guard = 0; guard <= n; guard++) {
            const page = await ctx.repository.read(topic, cursor, { count });
            ensure(page.length <= count, RULES.readsAfter, () => `read with count ${count} returned ${page.length} entries`);
            if (page.length === 0) break;
            seen.push(...numbers(page));
            cursor = page[page.length - 1]!.id;
          }
          ensureEqual(seen, range(0, n), RULES.readsAfter, `paging with count ${count}`);
          await ctx.repository.deleteTopic(topic);
        }),
        Math.max(10, Math.floor(ctx.numRuns / 4)),
      );
    },
  },
  {
    id: `${M}/non-blocking-returns-at-once`,
    rule: RULES.blocking,
    title: 'a read without blockMs returns at once when there is nothing to read',
    async run(ctx) {
      const topic = ctx.topic();
      const read = ctx.repository.read(topic, '0-0', { count: 10 });
      ensure(await ctx.time.settlesWithin(read, 0), RULES.blocking, 'a read without blockMs waited');
      ensureEqual(await read, [], RULES.blocking, 'non-blocking read of a missing topic');
    },
  },
  {
    id: `${M}/block-times-out`,
    rule: RULES.blocking,
    title: 'a blocking read with nothing to return waits blockMs, then returns nothing',
    skipReason: needsBlocking,
    async run(ctx) {
      const topic = ctx.topic();
      const read = ctx.repository.read(topic, '0-0', { blockMs: ctx.blockMs, count: 10 });
      ensure(await ctx.time.pendingAfter(read, Math.floor(ctx.blockMs / 2)), RULES.blocking, `a read blocking ${ctx.blockMs} ms returned after half of it`);
      ensure(await ctx.time.settlesWithin(read, ctx.blockMs), RULES.blocking, `a read blocking ${ctx.blockMs} ms did not return after it`);
      ensureEqual(await read, [], RULES.blocking, 'timed-out blocking read');
    },
  },
  {
    id: `${M}/append-wakes-readers`,
    rule: RULES.blocking,
    title: 'an append wakes every read blocked on its topic, with the new entries',
    skipReason: needsBlocking,
    async run(ctx) {
      const topic = ctx.topic();
      const cursor = await ctx.repository.tailId(topic);
      const blockMs = longBlock(ctx.blockMs, ctx.time.controllable);
      const reads = range(0, 3).map(() => ctx.repository.read(topic, cursor, { blockMs, count: 10 }));
      ensure(await ctx.time.pendingAfter(Promise.race(reads), 0), RULES.blocking, 'a blocking read on an empty topic returned at once');
      await appendProbes(ctx, topic, 0, 2, { batch: 2 });
      for (const read of reads) {
        ensure(await ctx.time.settlesWithin(read, 0), RULES.blocking, `a blocked read (block ${blockMs} ms) was not woken by an append`);
        ensureEqual(numbers(await read), [0, 1], RULES.blocking, 'entries handed to a woken read');
      }
    },
  },
  {
    id: `${M}/older-cursor-joins-blocked-read`,
    rule: RULES.readsAfter,
    title: 'a read with an older cursor that joins a blocked read of the same topic gets everything after its own cursor',
    skipReason: needsBlocking,
    async run(ctx) {
      // Backends that multiplex blocking reads must not hand a reader entries read for another reader's newer cursor.
      const topic = ctx.topic();
      const [first] = await appendProbes(ctx, topic, 0, 1);
      const blockMs = longBlock(ctx.blockMs, ctx.time.controllable);
      const newer = ctx.repository.read(topic, first!, { blockMs, count: 10 });
      await ctx.time.settle();
      const older = ctx.repository.read(topic, '0-0', { blockMs, count: 10 });
      await appendProbes(ctx, topic, 1, 1);
      ensure(await ctx.time.settlesWithin(older, 0), RULES.blocking, 'a blocking read with entries after its cursor did not return');
      const got = numbers(await older).join();
      ensure(got === '0' || got === '0,1', RULES.readsAfter, () => `a reader after 0-0 that joined a blocked read after the first id got entries [${got}], want [0] or [0,1]: it was handed the other reader's entries`);
      ensure(await ctx.time.settlesWithin(newer, 0), RULES.blocking, 'the blocked reader was not woken');
      ensureEqual(numbers(await newer), [1], RULES.readsAfter, 'entries for the blocked reader');
    },
  },
  {
    id: `${M}/concurrent-reads-wake-their-own`,
    rule: RULES.blocking,
    title: 'of blocking reads waiting on different topics at once, an append wakes exactly the read of its topic, with only its entries',
    skipReason: needsBlocking,
    async run(ctx) {
      // Backends that multiplex waiting reads into one server-side wait must still route each entry to its own reader.
      const [a, b, c] = [ctx.topic('a'), ctx.topic('b'), ctx.topic('c')];
      const blockMs = longBlock(ctx.blockMs, ctx.time.controllable);
      const stopA = new AbortController();
      const reads = [a, b, c].map((topic) => ctx.repository.read(topic, '0-0', { blockMs, count: 10, ...(topic === a ? { signal: stopA.signal } : {}) }));
      await ctx.time.settle();
      await appendProbes(ctx, b, 0, 2, { batch: 2 });
      ensure(await ctx.time.settlesWithin(reads[1]!, 0), RULES.blocking, 'a blocking read was not woken by an append to its topic');
      ensureEqual(numbers(await reads[1]!), [0, 1], RULES.blocking, 'entries handed to the woken read');
      ensure(await ctx.time.pendingAfter(reads[0]!, 0), RULES.blocking, 'a read of another topic returned when b got entries');
      await appendProbes(ctx, c, 10, 1);
      ensure(await ctx.time.settlesWithin(reads[2]!, 0), RULES.blocking, 'the read of c was not woken by an append to c');
      ensureEqual(numbers(await reads[2]!), [10], RULES.blocking, 'entries handed to the read of c');
      ensure(await ctx.time.pendingAfter(reads[0]!, 0), RULES.blocking, 'a read of another topic returned when c got entries');
      stopA.abort();
      ensure(await ctx.time.settlesWithin(reads[0]!, 0), RULES.blocking, 'the read of a did not end when aborted');
      ensureEqual(await reads[0]!, [], RULES.blocking, 'the read of a topic that got nothing');
    },
  },
  {
    id: `${M}/blocked-read-does-not-delay-appends`,
    rule: RULES.blocking,
    title: 'appends (to any topic) complete promptly while reads are blocked',
    skipReason: needsBlocking,
    async run(ctx) {
      const a = ctx.topic('a');
      const b = ctx.topic('b');
      const blockMs = longBlock(ctx.blockMs, ctx.time.controllable);
      const blocked = ctx.repository.read(a, '0-0', { blockMs, count: 10 });
      await ctx.time.settle();
      const other = ctx.repository.append({ topic: b, entries: [{ n: '0' }], ...KEEP });
      ensure(await ctx.time.settlesWithin(other, 0), RULES.blocking, 'an append to another topic waited for a blocked read');
      const same = ctx.repository.append({ topic: a, entries: [{ n: '0' }], ...KEEP });
      ensure(await ctx.time.settlesWithin(same, 0), RULES.blocking, 'an append to the blocked topic waited for the blocked read');
      ensure(await ctx.time.settlesWithin(blocked, 0), RULES.blocking, 'the blocked read was not woken');
    },
  },
  {
    id: `${M}/abort-ends-read`,
    rule: RULES.blocking,
    title: 'aborting a blocked read resolves it promptly with nothing; an aborted signal does not block',
    skipReason: needsBlocking,
    async run(ctx) {
      const topic = ctx.topic();
      const blockMs = longBlock(ctx.blockMs, ctx.time.controllable);
      const controller = new AbortController();
      const read = ctx.repository.read(topic, '0-0', { blockMs, count: 10, signal: controller.signal });
      ensure(await ctx.time.pendingAfter(read, 0), RULES.blocking, 'a blocking read on an empty topic returned at once');
      controller.abort();
      ensure(await ctx.time.settlesWithin(read, 0), RULES.blocking, 'an aborted blocking read did not resolve promptly');
      const outcome = await read.then(
        (entries) => show(entries),
        (err: unknown) => `rejected: ${(err as Error)?.message}`,
      );
      ensure(outcome === '[]', RULES.blocking, () => `an aborted blocking read should resolve with nothing, got ${outcome}`);
      const already = ctx.repository.read(topic, '0-0', { blockMs, count: 10, signal: AbortSignal.abort() });
      ensure(await ctx.time.settlesWithin(already, 0), RULES.blocking, 'a read with an already-aborted signal blocked');
      ensureEqual(await already, [], RULES.blocking, 'read with an already-aborted signal');
      await appendProbes(ctx, topic, 0, 1);
      ensureEqual(numbers(await ctx.repository.read(topic, '0-0', { count: 10 })), [0], RULES.readsAfter, 'read after an aborted one');
    },
  },
];
