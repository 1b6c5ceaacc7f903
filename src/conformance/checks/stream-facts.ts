import fc from 'fast-check';
import type { StreamId } from '../../domain/stream-id.js';
import { RULES, ensure, ensureEqual, show } from '../failure.js';
import { checkProperty, historySize } from '../property.js';
import type { ConformanceCheck } from '../types.js';
import { KEEP, probe } from './support.js';

const M = 'stream-facts';

type Op = { readonly kind: 'append'; readonly size: number; readonly maxLen: number } | { readonly kind: 'delete' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), size: fc.integer({ min: 1, max: 4 }), maxLen: fc.constantFrom(0, 0, 1, 3, 8) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'delete' as const }) },
);

/**
 * What the backend must report after each step of a random history. Rare faults in `tailId`,
 * `info` or `deleteTopic` (a stale answer, an ignored delete) hide in single checks; this
 * property asks after every step, a few thousand times per suite run, so a 1 % fault shows.
 */
export const streamFactsChecks: readonly ConformanceCheck[] = [
  {
    id: `${M}/track-random-history`,
    rule: RULES.info,
    title: 'after every append, trim and delete of a random history, tailId, info and deleteTopic report the stream exactly',
    async run(ctx) {
      await checkProperty(
        RULES.info,
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12, size: historySize(ctx) }), async (ops) => {
          const topic = ctx.topic('facts');
          const r = ctx.repository;
          let added = 0;
          let trimmed = false;
          let firstId: StreamId = '0-0';
          let lastId: StreamId = '0-0';
          for (const [step, o] of ops.entries()) {
            const at = `step ${step} of ${show(ops, 200)}`;
            if (o.kind === 'delete') {
              ensureEqual(await r.deleteTopic(topic), added > 0, RULES.deletion, `${at}: deleteTopic's answer (the topic ${added > 0 ? 'existed' : 'was missing'})`);
              ensureEqual(await r.info(topic), null, RULES.deletion, `${at}: info right after deleteTopic`);
              added = 0;
              trimmed = false;
              firstId = lastId = '0-0';
            } else {
              const { ids } = await r.append({ topic, entries: Array.from({ length: o.size }, (_, i) => probe(added + i)), maxLen: o.maxLen, ttlSeconds: KEEP.ttlSeconds });
              ensure(ids.length === o.size, RULES.ids, () => `${at}: ${o.size} entries appended, ${ids.length} ids back`);
              if (added === 0) firstId = ids[0]!;
              added += o.size;
              lastId = ids[ids.length - 1]!;
              trimmed ||= o.maxLen > 0;
              const info = await r.info(topic);
              ensure(info !== null, RULES.info, () => `${at}: info of a topic just appended to is null`);
              ensureEqual([info.entriesAdded, info.lastId], [added, lastId], RULES.info, `${at}: info [entriesAdded, lastId]`);
              if (!trimmed) ensureEqual([info.length, info.firstId], [added, firstId], RULES.info, `${at}: info [length, firstId] of an untrimmed stream`);
              else ensure(info.length >= Math.min(added, Math.max(o.maxLen, o.size)) && info.length <= added, RULES.retention, () => `${at}: length ${info.length} after maxLen ${o.maxLen} with ${added} added`);
            }
            ensureEqual(await r.tailId(topic), lastId, RULES.tail, `${at}: tailId`);
          }
          ensureEqual(await r.deleteTopic(topic), added > 0, RULES.deletion, `deleteTopic's answer at the end of ${show(ops, 200)}`);
          ensureEqual(await r.tailId(topic), '0-0', RULES.deletion, `tailId after the final deleteTopic of ${show(ops, 200)}`);
        }),
        ctx.numRuns,
      );
    },
  },
];
