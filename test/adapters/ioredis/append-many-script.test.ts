import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { AppendRequest, EntryFields } from '../../../src/ports/stream-repository.js';
import { APPEND_MANY_LUA, AppendManyCall, AppendReplyError, parseAppendManyReply } from '../../../src/adapters/shared/append-many-script.js';
import { producersKeyFor } from '../../../src/adapters/shared/producer-keys.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';

let server: TestRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const PRODUCERS = 'taskstream:producers:';

async function run(requests: readonly AppendRequest[]) {
  const call = new AppendManyCall(requests[0]!.maxLen, requests[0]!.ttlSeconds);
  for (const r of requests) call.add(r, producersKeyFor(r.topic, PRODUCERS));
  return parseAppendManyReply(await redis.eval(APPEND_MANY_LUA, call.keys.length, ...call.keys, ...call.args));
}

function req(topic: string, seqs: number[], extra: Partial<AppendRequest> = {}): AppendRequest {
  return { topic, entries: seqs.map((s) => ({ n: String(s) })), maxLen: 100, ttlSeconds: 60, idempotency: { producerId: 'p', seqs }, ...extra };
}

async function values(topic: string): Promise<string[]> {
  return (await redis.xrange(topic, '-', '+')).map(([, fields]) => fields[1]!);
}

describe('append-many.lua: several appends in one script call', () => {
  it('an append on a key of the wrong type fails alone; those around it are written', async () => {
    const p = uniquePrefix();
    await redis.set(`${p}bad`, 'not a stream');
    const replies = await run([req(`${p}a`, [1, 2]), req(`${p}bad`, [1]), req(`${p}c`, [1])]);
    expect(replies[0]).toMatchObject({ duplicates: 0, ttlFailed: false });
    expect(replies[1]).toBeInstanceOf(AppendReplyError);
    expect((replies[1] as Error).message).toMatch(/^WRONGTYPE/);
    expect(replies[2]).toMatchObject({ duplicates: 0 });
    expect(await values(`${p}a`)).toEqual(['1', '2']);
    expect(await values(`${p}c`)).toEqual(['1']);
    expect(await redis.ttl(`${p}c`)).toBeGreaterThan(50);
    expect(await redis.get(`${p}bad`)).toBe('not a stream');
  });

  it('appends to one topic run in call order; a retry inside the same call is skipped as duplicates', async () => {
    const t = `${uniquePrefix()}t`;
    const replies = await run([req(t, [1, 2]), req(t, [3]), req(t, [2, 3]), req(t, [4])]);
    expect(replies.map((r) => (r as { duplicates: number }).duplicates)).toEqual([0, 0, 2, 0]);
    expect(await values(t)).toEqual(['1', '2', '3', '4']);
    const ids = replies.flatMap((r) => (r as { ids: string[] }).ids);
    expect(ids).toEqual((await redis.xrange(t, '-', '+')).map(([id]) => id));
  });

  it('an append after its message terminal is refused (AFTER_TERMINAL), writing nothing; the next append of the call still runs', async () => {
    const p = uniquePrefix();
    const replies = await run([
      req(`${p}m`, [1], { message: { key: '0', terminal: true } }),
      { ...req(`${p}m`, [2], { message: { key: '0', terminal: false } }), idempotency: { producerId: 'q', seqs: [2] } },
      req(`${p}other`, [1]),
    ]);
    expect(replies[0]).toMatchObject({ duplicates: 0 });
    expect(replies[1]).toBeInstanceOf(TaskStreamError);
    expect((replies[1] as TaskStreamError).code).toBe('AFTER_TERMINAL');
    expect(await values(`${p}m`)).toEqual(['1']);
    expect(await values(`${p}other`)).toEqual(['1']);
  });

  it('entries with and without the field names of the call\'s first entry are stored field for field', async () => {
    const p = uniquePrefix();
    const shapes: EntryFields[] = [{ data: 'x', seq: '1' }, { seq: '2', data: 'y' }, { data: 'z' }, { data: 'w', seq: '3', extra: '' }, { data: 'v', seq: '4' }];
    const replies = await run([
      { topic: `${p}a`, entries: shapes.slice(0, 3), maxLen: 0, ttlSeconds: 0 },
      { topic: `${p}b`, entries: shapes.slice(3), maxLen: 0, ttlSeconds: 0, idempotency: { producerId: 'p', seqs: [7, 8] } },
    ]);
    expect(replies.every((r) => !(r instanceof Error))).toBe(true);
    const stored = async (t: string) => (await redis.xrange(t, '-', '+')).map(([, f]) => f);
    expect(await stored(`${p}a`)).toEqual([['data', 'x', 'seq', '1'], ['seq', '2', 'data', 'y'], ['data', 'z']]);
    expect(await stored(`${p}b`)).toEqual([['data', 'w', 'seq', '3', 'extra', ''], ['data', 'v', 'seq', '4']]);
  });

  it('trims with MAXLEN ~, never removing entries the same append wrote', async () => {
    const t = `${uniquePrefix()}t`;
    const many = Array.from({ length: 300 }, (_, i) => i + 1);
    await run([req(t, many, { maxLen: 10 })]);
    expect(await redis.xlen(t)).toBe(300);
    await run([req(`${t}x`, [1], { maxLen: 10 }), req(t, [301], { maxLen: 10 })]);
    const length = await redis.xlen(t);
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(300);
  });
});
