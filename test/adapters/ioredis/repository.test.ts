import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { producersKeyFor } from '../../../src/adapters/shared/producer-keys.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { compareStreamIds } from '../../../src/domain/stream-id.js';
import type { Logger } from '../../../src/ports/logger.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';

let server: TestRedis;
let repo: IoredisRepository;
let admin: Redis;

beforeAll(async () => {
  server = await startRedis();
  repo = createIoredisRepository({ url: server.url });
  admin = new Redis(server.url);
});

afterAll(async () => {
  await repo?.close();
  admin?.disconnect();
  await server?.stop();
});

async function commandCalls(command: string): Promise<number> {
  const info = await admin.info('commandstats');
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return match ? Number(match[1]) : 0;
}

describe('ioredis repository: append', () => {
  it('appends a batch in order, in ONE round trip (one EVALSHA, no MULTI), trims and sets the TTL', async () => {
    const topic = `${uniquePrefix()}task:a`;
    await repo.append({ topic: `${topic}:warm`, entries: [{ w: '1' }], maxLen: 0, ttlSeconds: 5 });
    const multiBefore = await commandCalls('multi');
    const evalBefore = (await commandCalls('evalsha')) + (await commandCalls('eval'));
    const result = await repo.append({ topic, entries: [{ n: '1' }, { n: '2' }, { n: '3' }], maxLen: 1000, ttlSeconds: 60 });
    expect((await commandCalls('evalsha')) + (await commandCalls('eval')) - evalBefore).toBe(1);
    expect(await commandCalls('multi')).toBe(multiBefore);
    expect(result.duplicates).toBe(0);
    expect(result.ids).toHaveLength(3);
    expect(compareStreamIds(result.ids[0]!, result.ids[1]!)).toBeLessThan(0);
    const entries = await repo.read(topic, '0-0');
    expect(entries.map((e) => e.fields['n'])).toEqual(['1', '2', '3']);
    expect(entries.map((e) => e.id)).toEqual(result.ids);
    const ttl = await admin.ttl(topic);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('ttlSeconds 0 sends no EXPIRE: a new key has no TTL, an existing TTL is left as it is', async () => {
    const topic = `${uniquePrefix()}task:nottl`;
    const expireBefore = await commandCalls('expire');
    await repo.append({ topic, entries: [{ a: '1' }], maxLen: 0, ttlSeconds: 0 });
    expect(await commandCalls('expire')).toBe(expireBefore);
    expect(await admin.ttl(topic)).toBe(-1);
    expect((await repo.info(topic))?.ttlMs).toBeNull();
    await repo.append({ topic, entries: [{ a: '2' }], maxLen: 0, ttlSeconds: 30 });
    await repo.append({ topic, entries: [{ a: '3' }], maxLen: 0, ttlSeconds: 0 });
    expect(await admin.ttl(topic)).toBeGreaterThan(0);
  });

  it('skips entries whose producer sequence was already appended, atomically, and counts them', async () => {
    const topic = `${uniquePrefix()}task:idem`;
    const base = { topic, maxLen: 0, ttlSeconds: 60 };
    const first = await repo.append({ ...base, entries: [{ s: '0' }, { s: '1' }], idempotency: { producerId: 'p:0', seqs: [0, 1] } });
    expect(first).toMatchObject({ duplicates: 0 });
    // a retry overlapping the first batch: seqs 1 and 2, only 2 is new
    const retry = await repo.append({ ...base, entries: [{ s: '1' }, { s: '2' }], idempotency: { producerId: 'p:0', seqs: [1, 2] } });
    expect(retry.duplicates).toBe(1);
    expect(retry.ids).toHaveLength(1);
    // another producer on the same topic is independent
    const other = await repo.append({ ...base, entries: [{ s: 'x' }], idempotency: { producerId: 'p:1', seqs: [0] } });
    expect(other.duplicates).toBe(0);
    const all = await repo.read(topic, '0-0');
    expect(all.map((e) => e.fields['s'])).toEqual(['0', '1', '2', 'x']);
    // the record shares the topic's TTL and slot-compatible key
    const producers = producersKeyFor(topic, 'taskstream:producers:');
    expect(await admin.hget(producers, 'p:0')).toBe('2');
    expect(await admin.ttl(producers)).toBeGreaterThan(0);
    expect(await repo.deleteTopic(topic)).toBe(true);
    expect(await admin.exists(producers)).toBe(0);
    expect(await repo.deleteTopic(topic)).toBe(false);
  });

  it('the idempotency record expires with the topic (real 1 s TTL); afterwards the topic is missing and ids restart', async () => {
    const topic = `${uniquePrefix()}task:idemttl`;
    const request = { topic, entries: [{ s: '0' }], maxLen: 0, ttlSeconds: 1, idempotency: { producerId: 'p', seqs: [0] } };
    const first = await repo.append(request);
    await new Promise((r) => setTimeout(r, 1_150));
    expect(await repo.tailId(topic)).toBe('0-0');
    expect(await repo.info(topic)).toBeNull();
    expect(await admin.exists(producersKeyFor(topic, 'taskstream:producers:'))).toBe(0);
    const again = await repo.append(request);
    expect(again).toMatchObject({ duplicates: 0 });
    expect(compareStreamIds(again.ids[0]!, first.ids[0]!)).toBeGreaterThan(0);
  });

  it('approximate trimming keeps at least maxLen entries and never the current batch', async () => {
    const topic = `${uniquePrefix()}task:trim`;
    for (let i = 0; i < 10; i++) {
      await repo.append({ topic, entries: Array.from({ length: 100 }, (_, j) => ({ i: String(i * 100 + j) })), maxLen: 150, ttlSeconds: 60 });
    }
    const info = await repo.info(topic);
    expect(info!.length).toBeGreaterThanOrEqual(150);
    expect(info!.length).toBeLessThan(1000);
    expect(info!.entriesAdded).toBe(1000);
    // a batch bigger than maxLen keeps all of itself
    const big = await repo.append({ topic, entries: Array.from({ length: 300 }, (_, j) => ({ b: String(j) })), maxLen: 5, ttlSeconds: 60 });
    const after = await repo.read(topic, '0-0', { count: 10_000 });
    const kept = new Set(after.map((e) => e.id));
    expect(big.ids.every((id) => kept.has(id))).toBe(true);
  });

  it('rejects bad input with INVALID_ARGUMENT before touching Redis', async () => {
    const topic = `${uniquePrefix()}task:bad`;
    await expect(repo.append({ topic, entries: [{}], maxLen: 0, ttlSeconds: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      repo.append({ topic, entries: [{ a: '1' }, { a: '2' }], maxLen: 0, ttlSeconds: 0, idempotency: { producerId: 'p', seqs: [2, 1] } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(repo.read(topic, '$')).rejects.toMatchObject({ code: 'INVALID_STREAM_ID' });
    expect(await admin.exists(topic)).toBe(0);
  });

  it('rejects a hole in entries or seqs (sparse arrays) with INVALID_ARGUMENT, and a non-integer seq', async () => {
    const topic = `${uniquePrefix()}task:holes`;
    const holed = [{ a: '1' }, , { a: '3' }] as { a: string }[];
    await expect(repo.append({ topic, entries: holed, maxLen: 0, ttlSeconds: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const seqs = [0, , 2] as number[];
    await expect(repo.append({ topic, entries: [{ a: '1' }, { a: '2' }, { a: '3' }], maxLen: 0, ttlSeconds: 0, idempotency: { producerId: 'p', seqs } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { 'idempotency.seqs[1]': undefined },
    });
    await expect(repo.append({ topic, entries: [{ a: '1' }], maxLen: 0, ttlSeconds: 0, idempotency: { producerId: 'p', seqs: ['0' as unknown as number] } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { 'idempotency.seqs[0]': '0' },
    });
    expect(await admin.exists(topic)).toBe(0);
  });

  it('maps a Redis command error to BACKEND_COMMAND with the cause', async () => {
    const topic = `${uniquePrefix()}task:wrongtype`;
    await admin.set(topic, 'not a stream');
    const err = await repo.append({ topic, entries: [{ a: '1' }], maxLen: 0, ttlSeconds: 0 }).catch((e: unknown) => e);
    expect(TaskStreamError.is(err, 'BACKEND_COMMAND')).toBe(true);
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toMatch(/WRONGTYPE/);
  });

  it('falls back to EVAL when the script cache was flushed', async () => {
    await admin.script('FLUSH');
    const topic = `${uniquePrefix()}task:noscript`;
    const result = await repo.append({ topic, entries: [{ a: '1' }], maxLen: 0, ttlSeconds: 10 });
    expect(result.ids).toHaveLength(1);
  });

  it('logs (and never throws) a TTL refresh that fails after the entries are written', async () => {
    const warnings: string[] = [];
    const contexts: unknown[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m, c) => (warnings.push(m), contexts.push(c)), error: (m) => warnings.push(m) };
    // a user who may XADD but not EXPIRE: the script's EXPIRE fails after the XADD succeeded
    await admin.call('ACL', 'SETUSER', 'noexpire', 'on', '>pw', '~*', '&*', '+@all', '-expire', '-persist');
    const local = createIoredisRepository({ url: `redis://noexpire:pw@${server.host}:${server.port}`, logger });
    const topic = `${uniquePrefix()}task:ttlfail`;
    // two appends of one tick share a script call: each warning names its own topic
    const [result] = await Promise.all([
      local.append({ topic, entries: [{ a: '1' }], maxLen: 0, ttlSeconds: 30 }),
      local.append({ topic: `${topic}:2`, entries: [{ a: '2' }], maxLen: 0, ttlSeconds: 30 }),
    ]);
    expect(result).toEqual({ ids: [expect.any(String)], duplicates: 0 });
    expect(warnings.filter((w) => /TTL refresh failed/.test(w))).toHaveLength(2);
    expect(contexts).toEqual([
      { topic, ttlSeconds: 30 },
      { topic: `${topic}:2`, ttlSeconds: 30 },
    ]);
    expect(await admin.xlen(topic)).toBe(1);
    await local.close();
  });
});

describe('ioredis repository: tail, info, close', () => {
  it('tailId is 0-0 for a missing topic and the newest id otherwise', async () => {
    const topic = `${uniquePrefix()}task:tail`;
    expect(await repo.tailId(topic)).toBe('0-0');
    expect(await repo.info(topic)).toBeNull();
    const { ids } = await repo.append({ topic, entries: [{ a: '1' }, { a: '2' }], maxLen: 0, ttlSeconds: 5 });
    expect(await repo.tailId(topic)).toBe(ids[1]);
    const info = await repo.info(topic);
    expect(info).toMatchObject({ length: 2, firstId: ids[0], lastId: ids[1], entriesAdded: 2, maxDeletedId: '0-0' });
    expect(info!.ttlMs).toBeGreaterThan(0);
  });

  it('leaves a user-supplied client open on close, but closes what it opened', async () => {
    const client = new Redis(server.url);
    const local = createIoredisRepository({ client });
    const topic = `${uniquePrefix()}task:own`;
    await local.append({ topic, entries: [{ a: '1' }], maxLen: 0, ttlSeconds: 5 });
    // a blocking read opens the dedicated connection
    await local.read(topic, '0-0', { blockMs: 50 });
    expect(local.readerConnections).toBe(1);
    await local.close();
    await local.close();
    expect(await client.ping()).toBe('PONG');
    await expect(local.tailId(topic)).rejects.toMatchObject({ code: 'CLOSED' });
    const names = String(await admin.client('LIST')).split('\n').filter((l) => l.includes('name=taskstream-reader'));
    expect(names).toHaveLength(0);
    client.disconnect();
  });

  it('rejects a non-redis URL with INVALID_CONFIG', () => {
    expect(() => createIoredisRepository({ url: 'http://localhost:6379' })).toThrow(TaskStreamError);
  });

  it('reports BACKEND_UNAVAILABLE when nothing listens', async () => {
    const local = createIoredisRepository({ url: 'redis://127.0.0.1:1', redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null } });
    const err = await local.tailId('task:x').catch((e: unknown) => e);
    expect(TaskStreamError.is(err, 'BACKEND_UNAVAILABLE')).toBe(true);
    await local.close();
  });
});

// An append with neither a producer (idempotency) nor a message (one-terminal rule) has no record
// to read: the script runs XADD alone, without an HMGET of the producers hash.
describe('ioredis append: commands the script runs', () => {
  it('a plain append reads no record; one with a producer reads it once per call', async () => {
    const topic = `${uniquePrefix()}plain`;
    const before = await commandCalls('hmget');
    for (let i = 0; i < 5; i++) await repo.append({ topic, entries: [{ n: String(i) }], maxLen: 0, ttlSeconds: 0 });
    expect(await commandCalls('hmget')).toBe(before);
    expect(await admin.xlen(topic)).toBe(5);
    for (let i = 0; i < 3; i++) await repo.append({ topic, entries: [{ n: String(i) }], maxLen: 0, ttlSeconds: 0, idempotency: { producerId: 'p', seqs: [i] } });
    expect(await commandCalls('hmget')).toBe(before + 3);
  });
});
