import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';

// An append with neither a producer (idempotency) nor a message (one-terminal rule) has no record
// to read: the script runs XADD alone, without an HMGET of the producers hash (real redis-server).

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

async function calls(command: string): Promise<number> {
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await admin.info('commandstats'))?.[1] ?? 0);
}

describe('ioredis append: commands the script runs', () => {
  it('a plain append reads no record; one with a producer reads it once per call', async () => {
    const topic = `${uniquePrefix()}plain`;
    const before = await calls('hmget');
    for (let i = 0; i < 5; i++) await repo.append({ topic, entries: [{ n: String(i) }], maxLen: 0, ttlSeconds: 0 });
    expect(await calls('hmget')).toBe(before);
    expect(await admin.xlen(topic)).toBe(5);
    for (let i = 0; i < 3; i++) await repo.append({ topic, entries: [{ n: String(i) }], maxLen: 0, ttlSeconds: 0, idempotency: { producerId: 'p', seqs: [i] } });
    expect(await calls('hmget')).toBe(before + 3);
  });
});
