import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentexCodec } from '../../src/domain/codec/index.js';
import type { TaskEvent } from '../../src/domain/events.js';
import { canonicalJson, checkAsyncProperty, taskEventArb } from '../fixtures/agentex/arbitraries.js';
import { startRedis, uniquePrefix, type TestRedis } from '../helpers/redis-server.js';

/*
 * The codec's entries through a real redis-server, written and read with plain XADD/XRANGE the way
 * agentex's RedisStreamRepository does (scaleapi/scale-agentex agentex/src/adapters/streams/adapter_redis.py:
 * `xadd(name=topic, fields={"data": json})`, then `fields[b"data"].decode("utf-8")` and `json.loads`).
 */

interface ForeignCase {
  name: string;
  raw: Record<string, string>;
  event: TaskEvent;
}
const foreign = (
  JSON.parse(readFileSync(new URL('../fixtures/agentex/agentex-written.json', import.meta.url), 'utf8')) as { cases: ForeignCase[] }
).cases;

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.port, server.host, { lazyConnect: false });
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

function toPairs(fields: Record<string, string>): string[] {
  return Object.entries(fields).flat();
}

function fromPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[pairs[i]!] = pairs[i + 1]!;
  return out;
}

describe('agentex wire format through a real redis-server', () => {
  it('decodes entries written the way agentex writes them', async () => {
    const topic = `${uniquePrefix()}task:py`;
    for (const c of foreign) await redis.xadd(topic, '*', ...toPairs(c.raw));
    const entries = await redis.xrange(topic, '-', '+');
    expect(entries.map(([id, pairs]) => agentexCodec.decode({ id, fields: fromPairs(pairs) }))).toStrictEqual(foreign.map((c) => c.event));
  });

  it('stores encoded fields byte for byte and an agentex-style reader parses data (property)', async () => {
    const topic = `${uniquePrefix()}task:ts`;
    await checkAsyncProperty(
      fc.asyncProperty(taskEventArb, async (event) => {
        const fields = agentexCodec.encode(event, 'ts');
        const id = await redis.xadd(topic, '*', ...toPairs(fields));
        const [entry] = await redis.xrangeBuffer(topic, id!, id!);
        const pairs = entry![1];
        const asBytes = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Buffer.from(v, 'utf8')]));
        const readBack: Record<string, string> = {};
        for (let i = 0; i + 1 < pairs.length; i += 2) {
          const name = pairs[i]!.toString('utf8');
          expect(pairs[i + 1]!.equals(asBytes[name]!)).toBe(true);
          readBack[name] = pairs[i + 1]!.toString('utf8');
        }
        expect(Object.keys(readBack)).toEqual(Object.keys(fields));
        // What agentex's reader does: UTF-8 decode the `data` bytes and parse the JSON.
        expect(canonicalJson(JSON.parse(readBack['data']!))).toBe(canonicalJson(JSON.parse(fields['data']!)));
        const decoded = agentexCodec.decode({ id: id!, fields: readBack });
        expect(canonicalJson(decoded)).toBe(canonicalJson(event));
      }),
      150,
    );
  });
});
