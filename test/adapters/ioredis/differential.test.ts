import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';
import type { Clock } from '../../../src/ports/clock.js';
import { checkProperty } from '../../../src/conformance/index.js';
import type { AppendRequest, StreamInfo, StreamRepository } from '../../../src/ports/stream-repository.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';

/**
 * Differential test: random histories run against the memory backend and a real redis-server
 * must give the same observable results. Each id is replaced by its ordinal (the k-th entry
 * appended in the history), so results compare by order; everything else is compared exactly,
 * including lengths after approximate trimming. Trimming removes whole nodes whose byte size
 * depends on the id values, so the memory backend's clock is set, for each append, to the
 * millisecond Redis gave that append; when Redis's ids still differ (a batch straddled a
 * millisecond), that topic's length-dependent results are compared on what both retain.
 * Replay a failure with FC_SEED / FC_PATH.
 */

const TOPICS = 3;

type Op =
  | { kind: 'append'; topic: number; n: number; big: boolean; maxLen: number; ttl: number; producer: number | null }
  | { kind: 'retry' }
  | { kind: 'read'; topic: number; cursor: number; count: number }
  | { kind: 'readMany'; cursors: { topic: number; cursor: number }[]; count: number }
  | { kind: 'blockThenAppend'; topic: number }
  | { kind: 'tail'; topic: number }
  | { kind: 'info'; topic: number }
  | { kind: 'delete'; topic: number }
  | { kind: 'wait' };

const topicArb = fc.integer({ min: 0, max: TOPICS - 1 });
const cursorArb = fc.integer({ min: -1, max: 400 });

function opArb(ttls: number[], withWait: boolean): fc.Arbitrary<Op> {
  const arbs: fc.Arbitrary<Op>[] = [
    fc.record({
      kind: fc.constant('append' as const),
      topic: topicArb,
      n: fc.constantFrom(1, 2, 3, 7, 40, 130),
      big: fc.boolean(),
      maxLen: fc.constantFrom(0, 1, 5, 60, 150),
      ttl: fc.constantFrom(...ttls),
      producer: fc.constantFrom(null, 0, 1),
    }),
    fc.constant({ kind: 'retry' as const }),
    fc.record({ kind: fc.constant('read' as const), topic: topicArb, cursor: cursorArb, count: fc.constantFrom(1, 3, 1000) }),
    fc.record({
      kind: fc.constant('readMany' as const),
      cursors: fc.uniqueArray(fc.record({ topic: topicArb, cursor: cursorArb }), { minLength: 1, maxLength: 3, selector: (c) => c.topic }),
      count: fc.constantFrom(2, 1000),
    }),
    fc.record({ kind: fc.constant('blockThenAppend' as const), topic: topicArb }),
    fc.record({ kind: fc.constant('tail' as const), topic: topicArb }),
    fc.record({ kind: fc.constant('info' as const), topic: topicArb }),
    fc.record({ kind: fc.constant('delete' as const), topic: topicArb }),
  ];
  if (withWait) arbs.push(fc.constant({ kind: 'wait' as const }));
  return fc.oneof(...arbs);
}

/** One backend plus the id ↔ ordinal mapping of what it assigned. */
class Side {
  readonly ordinalOf = new Map<string, number>();
  readonly idOf: string[] = [];
  // readMany is beyond the port; both backends offer it as XREAD with several keys.
  constructor(readonly repo: StreamRepository & Pick<IoredisRepository, 'readMany'>) {}
  // Ids are per topic: two topics may assign the same id, so the key includes the topic.
  learn(topic: string, ids: readonly string[], firstOrdinal: number): void {
    ids.forEach((id, i) => {
      this.ordinalOf.set(`${topic} ${id}`, firstOrdinal + i);
      this.idOf[firstOrdinal + i] = id;
    });
  }
  ord(topic: string, id: string): number | string {
    return id === '0-0' ? '0-0' : (this.ordinalOf.get(`${topic} ${id}`) ?? `unknown ${id}`);
  }
  infoView(topic: string, info: StreamInfo | null): unknown {
    if (info === null) return null;
    return {
      length: info.length,
      firstId: this.ord(topic, info.firstId),
      lastId: this.ord(topic, info.lastId),
      entriesAdded: info.entriesAdded,
      maxDeletedId: this.ord(topic, info.maxDeletedId),
      hasTtl: info.ttlMs !== null,
    };
  }
}

async function runHistory(redis: IoredisRepository, ops: Op[], ttlCap: number): Promise<void> {
  const prefix = uniquePrefix('diff');
  const topic = (i: number): string => `${prefix}task:${i}`;
  let appendMs: number | undefined;
  const clock: Clock = { now: () => appendMs ?? Date.now(), setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
  const memory = new Side(createMemoryRepository({ clock }));
  const diverged = new Set<number>();
  const real = new Side(redis);
  const sides = [memory, real];
  let ordinals = 0;
  const topicOrdinals: number[][] = Array.from({ length: TOPICS }, () => []);
  const seqs = new Map<string, number>();
  let lastIdempotent: { request: AppendRequest; topicIndex: number } | undefined;
  const cursorId = (side: Side, topicIndex: number, pick: number): string => {
    const known = topicOrdinals[topicIndex]!;
    if (pick < 0 || known.length === 0) return '0-0';
    return side.idOf[known[pick % known.length]!]!;
  };
  const appendBoth = async (request: AppendRequest, topicIndex: number, step: number): Promise<void> => {
    const r = await real.repo.append(request);
    appendMs = r.ids[0] === undefined ? undefined : Number(r.ids[0].split('-')[0]);
    const m = await memory.repo.append(request).finally(() => (appendMs = undefined));
    if (m.ids.join() !== r.ids.join()) diverged.add(topicIndex);
    expect({ n: r!.ids.length, dup: r!.duplicates }, `step ${step} append`).toEqual({ n: m!.ids.length, dup: m!.duplicates });
    memory.learn(request.topic, m!.ids, ordinals);
    real.learn(request.topic, r!.ids, ordinals);
    for (let i = 0; i < m!.ids.length; i++) topicOrdinals[topicIndex]!.push(ordinals + i);
    ordinals += m!.ids.length;
  };
  // On a diverged topic the two may retain different heads: compare what both still hold.
  const commonHead = async (topicIndex: number): Promise<number> => {
    const heads = await Promise.all(sides.map(async (side) => side.ord(topic(topicIndex), (await side.repo.info(topic(topicIndex)))?.firstId ?? '0-0')));
    return Math.max(...heads.map((h) => (typeof h === 'number' ? h : -1)));
  };
  const trimmedTo = (head: number) => (ordinal: unknown) => typeof ordinal !== 'number' || ordinal >= head;
  try {
    for (const [step, op] of ops.entries()) {
      switch (op.kind) {
        case 'append': {
          const payload = op.big ? 'x'.repeat(300) : 'tok';
          const request: AppendRequest = {
            topic: topic(op.topic),
            entries: Array.from({ length: op.n }, (_, i) => ({ data: `${payload}${step}.${i}`, seq: String(i) })),
            maxLen: op.maxLen,
            ttlSeconds: Math.min(op.ttl, ttlCap),
            ...(op.producer === null ? {} : { idempotency: nextSeqs(seqs, `${op.topic}:p${op.producer}`, op.n) }),
          };
          if (request.idempotency !== undefined) lastIdempotent = { request, topicIndex: op.topic };
          await appendBoth(request, op.topic, step);
          break;
        }
        case 'retry':
          if (lastIdempotent !== undefined) await appendBoth(lastIdempotent.request, lastIdempotent.topicIndex, step);
          break;
        case 'read': {
          let views = await Promise.all(
            sides.map(async (s) =>
              (await s.repo.read(topic(op.topic), cursorId(s, op.topic, op.cursor), { count: op.count })).map((e) => [s.ord(topic(op.topic), e.id), e.fields]),
            ),
          );
          if (diverged.has(op.topic)) {
            if (op.count < 1000) break; // a bounded window from different heads is not comparable
            const keep = trimmedTo(await commonHead(op.topic));
            views = views.map((v) => v.filter(([ordinal]) => keep(ordinal)));
          }
          expect(views[1], `step ${step} read`).toEqual(views[0]);
          break;
        }
        case 'readMany': {
          const divergedHere = op.cursors.filter((c) => diverged.has(c.topic)).map((c) => c.topic);
          if (divergedHere.length > 0 && op.count < 1000) break;
          const heads = new Map<string, number>();
          for (const t of divergedHere) heads.set(topic(t), await commonHead(t));
          const views = await Promise.all(
            sides.map(async (s) => {
              const result = await s.repo.readMany(
                op.cursors.map((c) => ({ topic: topic(c.topic), afterId: cursorId(s, c.topic, c.cursor) })),
                { count: op.count },
              );
              return result
                .map((t) => [t.topic, t.entries.map((e) => s.ord(t.topic, e.id)).filter(trimmedTo(heads.get(t.topic) ?? -1))] as const)
                .filter(([, ordinals]) => ordinals.length > 0)
                .sort((a, b) => a[0].localeCompare(b[0]));
            }),
          );
          expect(views[1], `step ${step} readMany`).toEqual(views[0]);
          break;
        }
        case 'blockThenAppend': {
          const tails = await Promise.all(sides.map((s) => s.repo.tailId(topic(op.topic))));
          const pending = sides.map((s, i) => s.repo.read(topic(op.topic), tails[i]!, { blockMs: 2_000, count: 1000 }));
          await new Promise((r) => setTimeout(r, 10));
          await appendBoth({ topic: topic(op.topic), entries: [{ data: `blocked${step}` }], maxLen: 0, ttlSeconds: 0 }, op.topic, step);
          const views = (await Promise.all(pending)).map((entries, i) => entries.map((e) => sides[i]!.ord(topic(op.topic), e.id)));
          expect(views[1], `step ${step} blocking read`).toEqual(views[0]);
          break;
        }
        case 'tail': {
          const views = await Promise.all(sides.map(async (s) => s.ord(topic(op.topic), await s.repo.tailId(topic(op.topic)))));
          expect(views[1], `step ${step} tail`).toEqual(views[0]);
          break;
        }
        case 'info': {
          let views = await Promise.all(sides.map(async (s) => s.infoView(topic(op.topic), await s.repo.info(topic(op.topic)))));
          if (diverged.has(op.topic)) {
            views = views.map((v) => (v === null ? v : { ...(v as object), length: 'diverged', firstId: 'diverged' }));
          }
          expect(views[1], `step ${step} info`).toEqual(views[0]);
          break;
        }
        case 'delete': {
          diverged.delete(op.topic);
          const views = await Promise.all(sides.map((s) => s.repo.deleteTopic(topic(op.topic))));
          expect(views[1], `step ${step} delete`).toEqual(views[0]);
          break;
        }
        case 'wait':
          await new Promise((r) => setTimeout(r, ttlCap * 1000 + 150));
          break;
      }
    }
  } finally {
    for (let i = 0; i < TOPICS; i++) await redis.deleteTopic(topic(i));
    await memory.repo.close();
  }
}

function nextSeqs(seqs: Map<string, number>, producer: string, n: number): { producerId: string; seqs: number[] } {
  const start = seqs.get(producer) ?? 0;
  seqs.set(producer, start + n);
  return { producerId: producer, seqs: Array.from({ length: n }, (_, i) => start + i) };
}

let server: TestRedis;
let redis: IoredisRepository;

beforeAll(async () => {
  server = await startRedis();
  redis = createIoredisRepository({ url: server.url });
});

afterAll(async () => {
  await redis?.close();
  await server?.stop();
});

describe('differential: memory backend vs real redis-server', () => {
  it('random histories of appends, trims, idempotent retries, reads, blocking reads, tails, info and deletes agree', { timeout: 120_000 }, async () => {
    await checkProperty(
      'differential (memory == redis)',
      fc.asyncProperty(fc.array(opArb([0, 60], false), { minLength: 1, maxLength: 25 }), (ops) => runHistory(redis, ops, 60)),
      Number(process.env['FC_NUM_RUNS'] ?? 40),
    );
  });

  it('histories with 1-second TTLs that expire mid-history agree (few runs: each wait is real time)', { timeout: 120_000 }, async () => {
    await checkProperty(
      'differential with expiry (memory == redis)',
      fc.asyncProperty(
        fc.array(opArb([0, 1], true), { minLength: 2, maxLength: 12 }).filter((ops) => ops.filter((o) => o.kind === 'wait').length <= 2),
        (ops) => runHistory(redis, ops, 1),
      ),
      Number(process.env['FC_EXPIRY_RUNS'] ?? 5),
    );
  });
});
