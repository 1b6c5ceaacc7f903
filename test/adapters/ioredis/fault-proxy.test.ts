import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';
import { expectEachDeltaOnce, quiet, streamDeltasThroughFaults } from '../../helpers/fault-stream.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';

const DELTAS = 10_000;
const SUBSCRIBERS = 3;

let server: TestRedis;
let proxy: TcpProxy;

beforeAll(async () => {
  server = await startRedis();
  proxy = await startTcpProxy({ host: server.host, port: server.port });
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

describe('ioredis through a proxy that drops connections at random', () => {
  it(`${DELTAS} deltas reach every subscriber exactly once, in order, with exactly one Done`, { timeout: 90_000 }, async () => {
    const seed = Number(process.env['FAULT_SEED'] ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const reconnectFast = { retryStrategy: () => 10, maxRetriesPerRequest: 50 };
    const writerRepo: IoredisRepository = createIoredisRepository({ url: proxy.url, logger: quiet, redisOptions: reconnectFast });
    const readerRepo: IoredisRepository = createIoredisRepository({ url: proxy.url, logger: quiet, redisOptions: reconnectFast, maxBlockMs: 2_000 });
    const keyPrefix = uniquePrefix('fault');
    const settings = { keyPrefix, coalesce: 'per_token' as const, ttlSeconds: 600, maxLen: 0 };
    const taskId = 'chaos';
    let droppedBefore = 0;
    const results = await streamDeltasThroughFaults({
      writer: writerRepo,
      reader: readerRepo,
      settings,
      publisherRetry: { maxAttempts: 50, baseDelayMs: 10, maxDelayMs: 200 },
      subscriberTuning: { blockMs: 1_000, maxRetries: 1_000, retryBaseMs: 10, retryMaxMs: 200 },
      taskId,
      deltas: DELTAS,
      subscribers: SUBSCRIBERS,
      // pace the stream over a few seconds so connections are cut mid-append and mid-read many times
      flushEvery: 100,
      pauseMs: 25,
      startFaults: () => {
        const stopChaos = proxy.startChaos({ minMs: 10, maxMs: 80, random });
        droppedBefore = proxy.dropped;
        return stopChaos;
      },
    });
    const drops = proxy.dropped - droppedBefore;

    await expectEachDeltaOnce(results, { deltas: DELTAS, seed, repository: writerRepo, topic: `${keyPrefix}${taskId}` });
    expect(drops, `the proxy must actually have cut connections (seed ${seed})`).toBeGreaterThan(20);
    console.info(`fault test: seed ${seed}, ${drops} connections cut, ${proxy.accepted} accepted`);

    await writerRepo.close();
    await readerRepo.close();
  });
});
