import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';
import { agentexCodec } from '../../../src/domain/codec/index.js';
import { createPublisher } from '../../../src/domain/publisher/index.js';
import { createSubscriber } from '../../../src/domain/subscriber/index.js';
import type { Logger } from '../../../src/ports/logger.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';
import { seededRandom, startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';

const DELTAS = 10_000;
const SUBSCRIBERS = 3;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

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
    const publisher = createPublisher({
      repository: writerRepo,
      clock: systemClock,
      logger: quiet,
      settings,
      retry: { maxAttempts: 50, baseDelayMs: 10, maxDelayMs: 200 },
      maxPendingEntries: DELTAS * 2,
    });
    const subscriber = createSubscriber({
      repository: readerRepo,
      clock: systemClock,
      logger: quiet,
      settings,
      tuning: { blockMs: 1_000, maxRetries: 1_000, retryBaseMs: 10, retryMaxMs: 200 },
    });
    const taskId = 'chaos';
    const subscriptions = Array.from({ length: SUBSCRIBERS }, () => subscriber.open(taskId));
    await Promise.all(subscriptions.map((s) => s.ready));
    const received = subscriptions.map(async (subscription) => {
      const tokens: string[] = [];
      let dones = 0;
      for await (const item of subscription) {
        const event = item.event;
        if (event.type === 'delta' && event.delta.type === 'text') tokens.push(event.delta.textDelta);
        if (event.type === 'done') {
          dones++;
          break;
        }
      }
      return { tokens, dones };
    });

    const stopChaos = proxy.startChaos({ minMs: 10, maxMs: 80, random });
    const droppedBefore = proxy.dropped;
    const message = publisher.open(taskId);
    for (let i = 0; i < DELTAS; i++) {
      message.delta({ type: 'text', textDelta: `<${i}>` });
      if (i % 100 === 99) {
        // pace the stream over a few seconds so connections are cut mid-append and mid-read many times
        await message.flush();
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    await message.done({ final: true });
    const results = await Promise.all(received);
    stopChaos();
    const drops = proxy.dropped - droppedBefore;

    const expected = Array.from({ length: DELTAS }, (_, i) => `<${i}>`);
    results.forEach(({ tokens, dones }, n) => {
      expect(dones, `subscriber ${n} (seed ${seed})`).toBe(1);
      expect(tokens.length, `subscriber ${n} delta count (seed ${seed})`).toBe(DELTAS);
      expect(tokens.join(''), `subscriber ${n} order (seed ${seed})`).toBe(expected.join(''));
    });
    // The stream itself holds each delta once and one done: retried appends were deduplicated.
    const all = await writerRepo.read(`${keyPrefix}${taskId}`, '0-0', { count: 0 });
    const events = all.map((entry) => agentexCodec.decode(entry));
    expect(events.filter((e) => e.type === 'delta')).toHaveLength(DELTAS);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(drops, `the proxy must actually have cut connections (seed ${seed})`).toBeGreaterThan(20);
    console.info(`fault test: seed ${seed}, ${drops} connections cut, ${proxy.accepted} accepted`);

    await publisher.close();
    await writerRepo.close();
    await readerRepo.close();
  });
});
