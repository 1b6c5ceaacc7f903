import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { AppendRequest, EntryFields } from '../../../src/ports/stream-repository.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';
import { assertWithSeed } from '../../domain/publisher/fc-seed.js';

// Random appends issued in one tick through the batched path must give, append for append and
// entry for entry, what the same appends give one script call each, in the same order.

let server: TestRedis;
let batched: IoredisRepository;
let single: IoredisRepository;
let admin: Redis;
beforeAll(async () => {
  server = await startRedis();
  batched = createIoredisRepository({ url: server.url });
  single = createIoredisRepository({ url: server.url, batchAppends: false });
  admin = new Redis(server.url);
});
afterAll(async () => {
  await batched?.close();
  await single?.close();
  admin?.disconnect();
  await server?.stop();
});

const SHAPES: readonly EntryFields[] = [{ data: 'x', seq: '1', ts_v: '1' }, { seq: '2', data: 'y', ts_v: '1' }, { data: 'z' }, { data: 'w', seq: '3', ts_v: '1', extra: '' }];
/** Topic 3 is a string key: every append to it fails with WRONGTYPE. */
const TOPICS = 4;

interface Op {
  readonly topic: number;
  readonly shapes: number[];
  readonly producer: string | null;
  readonly firstSeq: number;
  readonly maxLen: number;
  readonly ttl: number;
  readonly message: { key: string; terminal: boolean } | null;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  topic: fc.integer({ min: 0, max: TOPICS - 1 }),
  shapes: fc.array(fc.integer({ min: 0, max: SHAPES.length - 1 }), { minLength: 1, maxLength: 3 }),
  producer: fc.constantFrom(null, 'p', 'q'),
  firstSeq: fc.integer({ min: 0, max: 6 }),
  maxLen: fc.constantFrom(0, 1000),
  ttl: fc.constantFrom(0, 60, 120),
  message: fc.option(fc.record({ key: fc.constantFrom('0', '1'), terminal: fc.boolean() }), { nil: null }),
});

function request(prefix: string, op: Op): AppendRequest {
  return {
    topic: `${prefix}${op.topic}`,
    entries: op.shapes.map((s) => SHAPES[s]!),
    maxLen: op.maxLen,
    ttlSeconds: op.ttl,
    ...(op.producer === null ? {} : { idempotency: { producerId: op.producer, seqs: op.shapes.map((_, i) => op.firstSeq + i) } }),
    ...(op.message === null ? {} : { message: op.message }),
  };
}

function outcome(settled: PromiseSettledResult<{ ids: readonly string[]; duplicates: number }>): unknown {
  if (settled.status === 'fulfilled') return { written: settled.value.ids.length, duplicates: settled.value.duplicates };
  const err = settled.reason as unknown;
  return { code: err instanceof TaskStreamError ? err.code : String(err), wrongType: /WRONGTYPE/.test(String((err as Error).message)) };
}

async function state(prefix: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let t = 0; t < TOPICS - 1; t++) {
    const key = `${prefix}${t}`;
    out.push({ entries: (await admin.xrange(key, '-', '+')).map(([, f]) => f), hasTtl: (await admin.pttl(key)) > 0 });
  }
  return out;
}

describe('ioredis: batched appends of one tick behave as one call per append, in order', () => {
  it('same outcomes per append and same streams (random appends, retries, terminals, wrong-type keys, mixed retention)', { timeout: 60_000 }, async () => {
    await assertWithSeed(
      'batched vs one call per append',
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const a = uniquePrefix('one');
        const b = uniquePrefix('many');
        await admin.set(`${a}${TOPICS - 1}`, 'x');
        await admin.set(`${b}${TOPICS - 1}`, 'x');
        const expected: PromiseSettledResult<{ ids: readonly string[]; duplicates: number }>[] = [];
        for (const op of ops) expected.push(...(await Promise.allSettled([single.append(request(a, op))])));
        const actual = await Promise.allSettled(ops.map((op) => batched.append(request(b, op))));
        expect(actual.map(outcome)).toEqual(expected.map(outcome));
        expect(await state(b)).toEqual(await state(a));
      }),
      100,
    );
  });
});
