import fc from 'fast-check';
import type { AppendResult, StreamRepository } from '../../ports/stream-repository.js';
import { RULES, ensure, ensureEqual, show } from '../failure.js';
import { checkProperty } from '../property.js';
import type { ConformanceCheck } from '../types.js';
import { KEEP, numbers, readAll } from './support.js';

const M = 'idempotent-append';
const needsIdempotence = (caps: { idempotentAppend: boolean }): string | undefined =>
  caps.idempotentAppend ? undefined : 'backend does not honour idempotency (capabilities.idempotentAppend is false)';

function send(repository: StreamRepository, topic: string, producerId: string, seqs: readonly number[], ttlSeconds: number = KEEP.ttlSeconds): Promise<AppendResult> {
  return repository.append({
    topic,
    entries: seqs.map((s) => ({ n: String(s), producer: producerId })),
    maxLen: 0,
    ttlSeconds,
    idempotency: { producerId, seqs },
  });
}

function ensureResult(result: AppendResult, written: number, duplicates: number, what: string): void {
  ensure(result.ids.length === written && result.duplicates === duplicates, RULES.idempotence, () => `${what}: want ${written} written and ${duplicates} duplicates, got ${show(result)}`);
}

export const idempotentAppendChecks: readonly ConformanceCheck[] = [
  {
    id: `${M}/retry-skips-appended`,
    rule: RULES.idempotence,
    title: 'a retried batch skips the entries already appended and counts them as duplicates',
    skipReason: needsIdempotence,
    async run(ctx) {
      const topic = ctx.topic();
      ensureResult(await send(ctx.repository, topic, 'p:0', [0, 1, 2]), 3, 0, 'first batch 0..2');
      ensureResult(await send(ctx.repository, topic, 'p:0', [0, 1, 2]), 0, 3, 'the same batch again');
      ensureResult(await send(ctx.repository, topic, 'p:0', [2, 3, 4]), 2, 1, 'batch 2..4 overlapping by one');
      ensureResult(await send(ctx.repository, topic, 'p:1', [0, 1]), 2, 0, 'another producer with the same seqs');
      ensureEqual(numbers(await readAll(ctx.repository, topic)), [0, 1, 2, 3, 4, 0, 1], RULES.idempotence, 'entries after retries');
      const other = ctx.topic('other');
      ensureResult(await send(ctx.repository, other, 'p:0', [0]), 1, 0, 'the same producer on another topic');
    },
  },
  {
    id: `${M}/record-deleted-with-topic`,
    rule: RULES.idempotence,
    title: 'deleteTopic removes the idempotency record with the topic',
    skipReason: needsIdempotence,
    async run(ctx) {
      const topic = ctx.topic();
      ensureResult(await send(ctx.repository, topic, 'p', [0, 1]), 2, 0, 'first batch');
      ensureEqual(await ctx.repository.deleteTopic(topic), true, RULES.deletion, 'deleteTopic');
      ensureResult(await send(ctx.repository, topic, 'p', [0, 1]), 2, 0, 'the same batch after deleteTopic');
    },
  },
  {
    id: `${M}/record-expires-with-topic`,
    rule: RULES.idempotence,
    title: 'the idempotency record expires with the topic',
    skipReason: (caps, time) => needsIdempotence(caps) ?? (time.controllable ? undefined : 'needs a controllable clock'),
    async run(ctx) {
      const topic = ctx.topic();
      ensureResult(await send(ctx.repository, topic, 'p', [0, 1], 5), 2, 0, 'first batch (ttl 5 s)');
      await ctx.time.pass(6_000);
      ensureEqual(await ctx.repository.info(topic), null, RULES.retention, 'info after the TTL');
      ensureResult(await send(ctx.repository, topic, 'p', [0, 1], 5), 2, 0, 'the same batch after expiry');
    },
  },
  {
    id: `${M}/random-retries`,
    rule: RULES.idempotence,
    title: 'under random retries and concurrent producers every sequence number is written once, in order',
    skipReason: needsIdempotence,
    async run(ctx) {
      // Each step sends a window of a producer's sequence space; windows overlap and repeat like retries do.
      const step = fc.record({ producer: fc.integer({ min: 0, max: 2 }), start: fc.integer({ min: 0, max: 12 }), size: fc.integer({ min: 1, max: 4 }) });
      await checkProperty(
        RULES.idempotence,
        fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }), async (rounds) => {
          const topic = ctx.topic('idem');
          const highest = new Map<number, number>();
          const expected: string[] = [];
          for (const round of rounds) {
            // Steps of one round run concurrently; each producer appears at most once per round so its order is defined.
            const steps = round.filter((s, i) => round.findIndex((o) => o.producer === s.producer) === i);
            const results = await Promise.all(steps.map((s) => send(ctx.repository, topic, `p${s.producer}`, seqRange(s.start, s.size))));
            steps.forEach((s, i) => {
              const before = highest.get(s.producer) ?? -1;
              const fresh = seqRange(s.start, s.size).filter((q) => q > before);
              ensureResult(results[i]!, fresh.length, s.size - fresh.length, `producer p${s.producer} sending ${s.start}..${s.start + s.size - 1} after ${before}`);
              if (fresh.length > 0) highest.set(s.producer, fresh[fresh.length - 1]!);
              expected.push(...fresh.map((q) => `p${s.producer}:${q}`));
            });
          }
          const stored = (await readAll(ctx.repository, topic)).map((e) => `${e.fields['producer']}:${e.fields['n']}`);
          ensureEqual([...stored].sort(), [...expected].sort(), RULES.idempotence, 'entries written');
          for (let p = 0; p < 3; p++) {
            const own = stored.filter((s) => s.startsWith(`p${p}:`)).map((s) => Number(s.split(':')[1]));
            ensure(own.every((q, i) => i === 0 || q > own[i - 1]!), RULES.order, () => `producer p${p}'s entries out of order: ${show(own)}`);
          }
          await ctx.repository.deleteTopic(topic);
        }),
        ctx.numRuns,
      );
    },
  },
];

function seqRange(start: number, size: number): number[] {
  return Array.from({ length: size }, (_, i) => start + i);
}
