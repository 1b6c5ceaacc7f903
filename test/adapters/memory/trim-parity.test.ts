// Differential test of the node layout that `MAXLEN ~` trimming depends on: the same appends go to
// a real redis-server 7.0 (/usr/bin/redis-server via redis-memory-server) and to StreamLog, fed
// with the ids Redis assigned, and length, node count (XINFO radix-tree-keys), first id and
// entries-added must agree after every append.
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { RedisMemoryServer } from 'redis-memory-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamLog } from '../../../src/adapters/memory/stream-log.js';
import { parseStreamId } from '../../../src/domain/stream-id.js';

type Fields = Record<string, string>;

let server: RedisMemoryServer;
let redis: Redis;

beforeAll(async () => {
  server = await RedisMemoryServer.create();
  redis = new Redis({ host: await server.getHost(), port: await server.getPort(), maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

/** Appends a batch in one MULTI, each XADD with `MAXLEN ~ max(maxLen, batch size)`, as the backends do. */
async function redisAppend(key: string, batch: readonly Fields[], maxLen: number): Promise<string[]> {
  const multi = redis.multi();
  batch.forEach((fields) => {
    const args = Object.entries(fields).flat();
    if (maxLen > 0) multi.xadd(key, 'MAXLEN', '~', String(Math.max(maxLen, batch.length)), '*', ...args);
    else multi.xadd(key, '*', ...args);
  });
  const results = (await multi.exec()) ?? [];
  return results.map(([err, id]) => {
    if (err) throw err;
    return id as string;
  });
}

async function redisInfo(key: string): Promise<{ length: number; nodes: number; firstId: string; entriesAdded: number; lastId: string }> {
  const raw = (await redis.call('XINFO', 'STREAM', key)) as unknown[];
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < raw.length; i += 2) map.set(String(raw[i]), raw[i + 1]);
  const first = map.get('first-entry') as [string, unknown] | null;
  return {
    length: Number(map.get('length')),
    nodes: Number(map.get('radix-tree-keys')),
    firstId: first === null ? '0-0' : first[0],
    entriesAdded: Number(map.get('entries-added')),
    lastId: String(map.get('last-generated-id')),
  };
}

function logInfo(log: StreamLog) {
  return { length: log.length, nodes: log.nodeCount, firstId: log.firstId, entriesAdded: log.entriesAdded, lastId: log.lastId };
}

/** Feeds StreamLog the ids Redis assigned (nextStreamId reproduces them from their ms part). */
function memoryAppend(log: StreamLog, batch: readonly Fields[], ids: readonly string[], maxLen: number): void {
  batch.forEach((fields, i) => {
    const id = log.append(Object.freeze({ ...fields }), Number(parseStreamId(ids[i]!).ms));
    expect(id).toBe(ids[i]);
    if (maxLen > 0) log.trimApprox(Math.max(maxLen, batch.length));
  });
}

const seqValue = fc.oneof(
  fc.nat({ max: 100_000 }).map(String),
  fc.constantFrom('0', '-0', '007', '-4097', '9223372036854775807', '9223372036854775808', '-9223372036854775808', '12345678901'),
  fc.integer().map(String),
);
const text = (maxLength: number) => fc.oneof(fc.string({ maxLength }), fc.string({ maxLength, unit: 'grapheme' }));
const entry: fc.Arbitrary<Fields> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ data: text(40).map((t) => JSON.stringify({ type: 'delta', text: t })), seq: seqValue }) },
  { weight: 2, arbitrary: fc.record({ data: text(3000).map((t) => JSON.stringify({ type: 'full', text: t })), seq: seqValue }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('done'), seq: seqValue }) },
  { weight: 1, arbitrary: fc.record({ n: seqValue }) },
  { weight: 1, arbitrary: fc.record({ blob: fc.string({ minLength: 4000, maxLength: 5000 }) }) },
);
const step = fc.record({ batch: fc.array(entry, { minLength: 1, maxLength: 6, size: 'max' }), maxLen: fc.constantFrom(0, 1, 3, 20, 60, 100, 150, 400) });

describe('StreamLog node layout and MAXLEN ~ versus redis-server 7.0', () => {
  it('matches 250 single small delta appends with MAXLEN ~ 10', async () => {
    const key = 'parity:fixed';
    await redis.del(key);
    const log = new StreamLog({ nodeMaxEntries: 100, nodeMaxBytes: 4096 });
    for (let i = 1; i <= 250; i++) {
      const batch = [{ data: JSON.stringify({ type: 'delta', text: 'hello' }), seq: String(i) }];
      memoryAppend(log, batch, await redisAppend(key, batch, 10), 10);
      expect(logInfo(log)).toEqual(await redisInfo(key));
    }
    expect(log.length).toBeLessThan(100);
  });

  it('matches random histories', async () => {
    const seed = process.env.FC_SEED === undefined ? Date.now() ^ 0x5eed : Number(process.env.FC_SEED);
    let run = 0;
    let appended = 0;
    const property = fc.asyncProperty(fc.array(step, { minLength: 30, maxLength: 120, size: 'max' }), async (steps) => {
      const key = `parity:${run++}`;
      const log = new StreamLog({ nodeMaxEntries: 100, nodeMaxBytes: 4096 });
      for (const { batch, maxLen } of steps) {
        memoryAppend(log, batch, await redisAppend(key, batch, maxLen), maxLen);
        expect(logInfo(log)).toEqual(await redisInfo(key));
        appended += batch.length;
      }
      await redis.del(key);
    });
    try {
      await fc.assert(property, { numRuns: 40, seed });
    } catch (err) {
      throw new Error(`trim parity failed; rerun with FC_SEED=${seed}\n${String(err)}\n${String((err as Error).cause ?? '')}`);
    }
    // Enough entries went through to fill and trim many nodes.
    expect(appended).toBeGreaterThan(2000);
  });
});
