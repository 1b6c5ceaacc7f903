import { compareStreamIds } from '../../domain/stream-id.js';
import { RULES, ensure, ensureEqual, show } from '../failure.js';
import type { ConformanceCheck } from '../types.js';
import { appendProbes, readAll } from './support.js';

const M = 'trimming-and-ttl';
const controllableOnly = (_caps: unknown, time: { controllable: boolean }): string | undefined =>
  time.controllable ? undefined : 'needs a controllable clock (real-time backends get the ttlMs checks instead)';

export const trimmingAndTtlChecks: readonly ConformanceCheck[] = [
  {
    id: `${M}/maxlen-trims-oldest`,
    rule: RULES.retention,
    title: 'maxLen trims approximately from the oldest end; info reports length, bounds, entriesAdded, maxDeletedId',
    async run(ctx) {
      const topic = ctx.topic();
      const maxLen = 20;
      const ids = await appendProbes(ctx, topic, 0, 600, { batch: 8, maxLen });
      const kept = await readAll(ctx.repository, topic);
      ensure(kept.length >= maxLen, RULES.retention, () => `trimmed below maxLen ${maxLen}: ${kept.length} entries left`);
      ensure(kept.length <= maxLen + ctx.trimSlack, RULES.retention, () => `not trimmed: ${kept.length} entries left with maxLen ${maxLen} (allowed slack ${ctx.trimSlack})`);
      const suffix = ids.slice(ids.length - kept.length);
      ensureEqual(kept.map((e) => e.id), suffix, RULES.retention, 'retained entries (must be the newest, contiguous)');
      const info = await ctx.repository.info(topic);
      ensure(info !== null, RULES.info, 'info of a trimmed topic is null');
      ensureEqual(
        { length: info.length, firstId: info.firstId, lastId: info.lastId, entriesAdded: info.entriesAdded },
        { length: kept.length, firstId: suffix[0], lastId: ids[ids.length - 1], entriesAdded: 600 },
        RULES.info,
        'info after trimming',
      );
      // Redis 7.0 leaves max-deleted-entry-id at 0-0 when MAXLEN trims; a backend that tracks it must be exact.
      const lastTrimmed = ids[ids.length - kept.length - 1];
      ensure(info.maxDeletedId === '0-0' || info.maxDeletedId === lastTrimmed, RULES.info, () => `maxDeletedId ${info.maxDeletedId} after trimming: want the last trimmed id ${lastTrimmed} (or 0-0 when untracked, as Redis 7.0)`);
    },
  },
  {
    id: `${M}/batch-never-trimmed`,
    rule: RULES.retention,
    title: 'trimming never removes entries appended by the same call',
    async run(ctx) {
      const topic = ctx.topic();
      await appendProbes(ctx, topic, 0, 50, { batch: 10, maxLen: 5 });
      const ids = await appendProbes(ctx, topic, 50, 40, { batch: 40, maxLen: 5 });
      const kept = new Set((await readAll(ctx.repository, topic)).map((e) => e.id));
      const lost = ids.filter((id) => !kept.has(id));
      ensure(lost.length === 0, RULES.retention, () => `a 40-entry append with maxLen 5 lost ${lost.length} of its own entries`);
    },
  },
  {
    id: `${M}/maxlen-zero-keeps-all`,
    rule: RULES.retention,
    title: 'maxLen 0 disables trimming; info of an untrimmed topic',
    async run(ctx) {
      const topic = ctx.topic();
      const ids = await appendProbes(ctx, topic, 0, 300, { batch: 30, maxLen: 0 });
      const info = await ctx.repository.info(topic);
      ensureEqual(
        info && { length: info.length, firstId: info.firstId, lastId: info.lastId, entriesAdded: info.entriesAdded, maxDeletedId: info.maxDeletedId },
        { length: 300, firstId: ids[0], lastId: ids[299], entriesAdded: 300, maxDeletedId: '0-0' },
        RULES.retention,
        'info after 300 appends with maxLen 0',
      );
    },
  },
  {
    id: `${M}/ttl-set-and-renewed`,
    rule: RULES.retention,
    title: 'every append sets the TTL it is given (info.ttlMs), renewing the previous one',
    async run(ctx) {
      const topic = ctx.topic();
      await appendProbes(ctx, topic, 0, 1, { ttlSeconds: 30 });
      const first = (await ctx.repository.info(topic))?.ttlMs;
      ensure(typeof first === 'number' && first > 0 && first <= 30_000, RULES.retention, () => `append with ttlSeconds 30 left ttlMs ${show(first)} (want 0 < ttlMs <= 30000)`);
      ensure(first > 30_000 - 10_000, RULES.retention, () => `ttlMs ${first} right after an append with ttlSeconds 30`);
      await appendProbes(ctx, topic, 1, 1, { ttlSeconds: 90 });
      const second = (await ctx.repository.info(topic))?.ttlMs;
      ensure(typeof second === 'number' && second > 30_000 && second <= 90_000, RULES.retention, () => `append with ttlSeconds 90 left ttlMs ${show(second)}: the TTL was not renewed`);
      if (ctx.time.controllable) {
        await ctx.time.pass(40_000);
        const aged = (await ctx.repository.info(topic))?.ttlMs;
        ensure(typeof aged === 'number' && aged <= 50_000, RULES.retention, () => `ttlMs ${show(aged)} after 40 s of a 90 s TTL`);
        await appendProbes(ctx, topic, 2, 1, { ttlSeconds: 90 });
        const renewed = (await ctx.repository.info(topic))?.ttlMs;
        ensure(typeof renewed === 'number' && renewed > 80_000, RULES.retention, () => `an append after 40 s did not renew the 90 s TTL (ttlMs ${show(renewed)})`);
      }
    },
  },
  {
    id: `${M}/ttl-zero-means-none`,
    rule: RULES.retention,
    title: 'appends with ttlSeconds 0 leave a new topic without expiry',
    async run(ctx) {
      // Whether ttlSeconds 0 also clears an existing TTL is left open: the Redis backends send no
      // EXPIRE then, so an earlier TTL stays, as with a bare XADD.
      const topic = ctx.topic();
      await appendProbes(ctx, topic, 0, 1, { ttlSeconds: 0 });
      await appendProbes(ctx, topic, 1, 2, { ttlSeconds: 0, batch: 2 });
      ensureEqual((await ctx.repository.info(topic))?.ttlMs, null, RULES.retention, 'ttlMs after appends with ttlSeconds 0');
      if (ctx.time.controllable) {
        await ctx.time.pass(3_600_000);
        ensureEqual((await ctx.repository.info(topic))?.length, 3, RULES.retention, 'length an hour after appends with ttlSeconds 0');
      }
      await ctx.repository.append({ topic, entries: [{ n: 'x' }], maxLen: 0, ttlSeconds: 600 });
    },
  },
  {
    id: `${M}/sliding-expiry`,
    rule: RULES.retention,
    title: 'an expired topic behaves as missing; appends slide the expiry; ids restart from the clock',
    skipReason: controllableOnly,
    async run(ctx) {
      const topic = ctx.topic();
      const clock = ctx.time.fake!;
      const first = await appendProbes(ctx, topic, 0, 2, { ttlSeconds: 10, batch: 2 });
      await ctx.time.pass(6_000);
      await appendProbes(ctx, topic, 2, 1, { ttlSeconds: 10 });
      await ctx.time.pass(6_000);
      ensureEqual((await ctx.repository.info(topic))?.length, 3, RULES.retention, 'length 12 s after the first append, 6 s after a renewing one');
      await ctx.time.pass(4_500);
      ensureEqual(await ctx.repository.info(topic), null, RULES.retention, 'info 10.5 s after the last append with ttlSeconds 10');
      ensureEqual(await ctx.repository.tailId(topic), '0-0', RULES.retention, 'tailId of an expired topic');
      ensureEqual(await ctx.repository.read(topic, '0-0'), [], RULES.retention, 'read of an expired topic');
      clock.set?.(clock.now() - 30_000);
      const again = await appendProbes(ctx, topic, 3, 1, { ttlSeconds: 10 });
      ensure(!clock.set || compareStreamIds(again[0]!, first[0]!) < 0, RULES.retention, () => `after expiry, ids should restart from the (earlier) clock: got ${again[0]} after ${first[0]}`);
      ensureEqual((await ctx.repository.info(topic))?.entriesAdded, 1, RULES.retention, 'entriesAdded of a topic recreated after expiry');
    },
  },
];
