import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { producersKeyFor } from '../../../src/adapters/shared/producer-keys.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';
import { assertWithSeed } from '../../domain/publisher/fc-seed.js';

// Port rule 6: a renewal already fresh within min(1 s, ttl/10) may be skipped. Time passing on the
// server is simulated by setting the keys' remaining TTL (as an earlier renewal would have left
// it), so nothing here waits in real time.

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

const PREFIX = 'taskstream:producers:';
let seq = 0;

async function expireCalls(): Promise<number> {
  return Number(/cmdstat_expire:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
}

async function append(topic: string, ttlSeconds: number, producerId = 'p'): Promise<void> {
  const s = seq++;
  await repo.append({ topic, entries: [{ n: String(s) }], maxLen: 0, ttlSeconds, ...(producerId === '' ? {} : { idempotency: { producerId, seqs: [s] } }) });
}

/** Both keys left `remainingMs` before expiry, as a renewal `ttl - remainingMs` ago leaves them. */
async function age(topic: string, remainingMs: number): Promise<void> {
  await admin.pexpire(topic, remainingMs);
  await admin.pexpire(producersKeyFor(topic, PREFIX), remainingMs);
}

async function ttls(topic: string): Promise<[number, number]> {
  return [await admin.pttl(topic), await admin.pttl(producersKeyFor(topic, PREFIX))];
}

describe('ioredis append: a TTL renewal that is already fresh is skipped, and nothing a reader sees drops by more than the slack', () => {
  it('renewed 0.5 s ago (60 s TTL): no EXPIRE; renewed 1.1 s ago: both keys renewed', async () => {
    const topic = `${uniquePrefix()}task:fresh`;
    await append(topic, 60);
    await age(topic, 59_500);
    const before = await expireCalls();
    await append(topic, 60);
    expect(await expireCalls()).toBe(before);
    const [topicTtl, recordTtl] = await ttls(topic);
    // not renewed (a renewal would read ~60,000); the lower bounds leave room for a loaded machine
    expect(topicTtl).toBeGreaterThan(57_000);
    expect(topicTtl).toBeLessThanOrEqual(59_500);
    expect(Math.abs(recordTtl - topicTtl)).toBeLessThan(500);
    expect((await repo.info(topic))?.ttlMs).toBeGreaterThan(57_000);

    await age(topic, 58_900);
    await append(topic, 60);
    expect(await expireCalls()).toBe(before + 2);
    // renewed: above the 58,900 it was aged to, whatever the machine's load
    for (const ttl of await ttls(topic)) expect(ttl).toBeGreaterThan(59_000);
  });

  it('a different ttlSeconds is always applied, even right after a renewal', async () => {
    const topic = `${uniquePrefix()}task:change`;
    await append(topic, 60);
    await append(topic, 90);
    for (const ttl of await ttls(topic)) expect(ttl).toBeGreaterThan(89_000);
    await append(topic, 30);
    for (const ttl of await ttls(topic)) expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('a short TTL keeps a slack of a tenth: 5 s renewed 0.6 s ago is renewed again', async () => {
    const topic = `${uniquePrefix()}task:short`;
    await append(topic, 5);
    await age(topic, 4_400);
    await append(topic, 5);
    for (const ttl of await ttls(topic)) expect(ttl).toBeGreaterThan(4_900);
  });

  it('a producer record created after the topic\'s renewal (new producer, or a ttlSeconds 0 append) still gets the TTL', async () => {
    const topic = `${uniquePrefix()}task:newrecord`;
    await append(topic, 60, '');
    await append(topic, 0, 'q'); // creates the record without a TTL, as ttlSeconds 0 says
    expect((await ttls(topic))[1]).toBe(-1);
    await append(topic, 60, 'q');
    // renewed: above the 58,900 it was aged to, whatever the machine's load
    for (const ttl of await ttls(topic)) expect(ttl).toBeGreaterThan(59_000);
  });

  it('property: whatever time passed since the last renewal, after an append both keys hold at least ttl - min(1 s, ttl/10)', async () => {
    await assertWithSeed(
      'ttl never lower than without the skip beyond the slack',
      fc.asyncProperty(fc.constantFrom(2, 10, 60, 3600), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), async (ttl, elapsedFraction, sameProducer) => {
        const topic = `${uniquePrefix()}task:prop`;
        await append(topic, ttl);
        await age(topic, Math.max(1, Math.round(ttl * 1000 * (1 - elapsedFraction))));
        const started = Date.now();
        await append(topic, ttl, sameProducer ? 'p' : 'other');
        const [topicTtl, recordTtl] = await ttls(topic);
        const slack = Math.min(1000, ttl * 100) + (Date.now() - started);
        expect(topicTtl).toBeGreaterThanOrEqual(ttl * 1000 - slack);
        expect(recordTtl).toBeGreaterThanOrEqual(ttl * 1000 - slack);
        expect(topicTtl).toBeLessThanOrEqual(ttl * 1000);
      }),
      60,
    );
  });
});
