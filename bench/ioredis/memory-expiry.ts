/**
 * Memory: publish 10,000 short tasks with a short sliding TTL, then watch Redis until no task
 * stream (and no idempotency record) remains; nothing deletes them but the TTL.
 * Run: npx tsx bench/ioredis/memory-expiry.ts
 */
import { Redis } from 'ioredis';
import { createIoredisRepository } from '../../src/adapters/ioredis/index.js';
import { inspectStreams } from '../../src/cli/inspect.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { createPublisher } from '../../src/defaults.js';
import { runAsScript, sleep } from './support.js';

export interface MemoryResult {
  readonly tasks: number;
  readonly ttlSeconds: number;
  readonly publishSeconds: number;
  readonly streamsAfterPublish: number;
  readonly usedMemoryAfterPublishMb: number;
  readonly streamsLeft: number;
  readonly producerRecordsLeft: number;
  readonly keysLeft: number;
  readonly secondsUntilNoneLeft: number;
  readonly usedMemoryAtEndMb: number;
}

async function usedMemoryMb(admin: Redis): Promise<number> {
  const match = /used_memory:(\d+)/.exec(await admin.info('memory'));
  return Number(match?.[1] ?? 0) / 1024 / 1024;
}

async function countKeys(admin: Redis, match: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = (await admin.scan(cursor, 'MATCH', match, 'COUNT', 1000)) as [string, string[]];
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

export async function runMemoryExpiry(url: string, options: { tasks?: number; ttlSeconds?: number } = {}): Promise<MemoryResult> {
  const tasks = options.tasks ?? 10_000;
  const ttlSeconds = options.ttlSeconds ?? 2;
  const admin = new Redis(url);
  await admin.flushdb();
  const repo = createIoredisRepository({ url });
  const keyPrefix = `mem:${Date.now().toString(36)}:`;
  const publisher = createPublisher({ repository: repo, clock: systemClock, settings: { keyPrefix, ttlSeconds } });
  const started = performance.now();
  for (let batch = 0; batch < tasks; batch += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, tasks - batch) }, async (_, i) => {
        const message = publisher.open(`short${batch + i}`);
        message.delta({ type: 'text', textDelta: 'hello' });
        message.delta({ type: 'text', textDelta: ' world' });
        await message.done();
      }),
    );
  }
  const publishSeconds = (performance.now() - started) / 1000;
  const afterPublish = await inspectStreams(admin, keyPrefix, 1, 1000);
  const usedMemoryAfterPublishMb = await usedMemoryMb(admin);
  const publishedAt = performance.now();
  let keysLeft = Number(await admin.dbsize());
  while (keysLeft > 0 && performance.now() - publishedAt < (ttlSeconds + 30) * 1000) {
    await sleep(250);
    keysLeft = Number(await admin.dbsize());
  }
  const result: MemoryResult = {
    tasks,
    ttlSeconds,
    publishSeconds,
    streamsAfterPublish: afterPublish.streams,
    usedMemoryAfterPublishMb,
    streamsLeft: (await inspectStreams(admin, keyPrefix, 1, 1000)).streams,
    producerRecordsLeft: await countKeys(admin, 'taskstream:producers:*'),
    keysLeft,
    secondsUntilNoneLeft: (performance.now() - publishedAt) / 1000,
    usedMemoryAtEndMb: await usedMemoryMb(admin),
  };
  await publisher.close();
  await repo.close();
  admin.disconnect();
  return result;
}

await runAsScript(import.meta.url, async (url) => console.table([await runMemoryExpiry(url)]));
