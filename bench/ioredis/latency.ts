/**
 * End-to-end latency from `delta()` to a subscriber with many concurrent tasks, all in one
 * process over one repository: 1,000 tasks at 20 deltas/s each, one subscriber per task.
 * Reports p50/p99, the Redis connections the process holds, and commands per delta.
 * Run: npx tsx bench/ioredis/latency.ts  (BENCH_SECONDS, BENCH_TASKS, BENCH_RATE to change the load)
 */
import { Redis } from 'ioredis';
import { createIoredisRepository } from '../../src/adapters/ioredis/index.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { createPublisher } from '../../src/defaults.js';
import { createSubscriber } from '../../src/defaults.js';
import type { CoalesceMode } from '../../src/domain/config.js';
import { clientCountAfter, clientSent, commandStats, percentile, runAsScript, SCRIPT_INNER, sleep, sleepUnref, statsDiff, sumCalls } from './support.js';

export interface LatencyResult {
  readonly coalesce: CoalesceMode;
  readonly tasks: number;
  readonly ratePerTask: number;
  readonly seconds: number;
  readonly sent: number;
  readonly received: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly connections: number;
  readonly readerConnections: number;
  readonly serverCommandsPerDelta: number;
  readonly clientCommandsPerDelta: number;
  readonly donePerTask: number;
}

export async function runLatency(
  url: string,
  options: { tasks?: number; rate?: number; seconds?: number; coalesce?: CoalesceMode } = {},
): Promise<LatencyResult> {
  const tasks = options.tasks ?? 1_000;
  const rate = options.rate ?? 20;
  const seconds = options.seconds ?? 10;
  const coalesce = options.coalesce ?? 'coalesced';
  const admin = new Redis(url);
  const repo = createIoredisRepository({ url });
  const settings = { keyPrefix: `lat:${Date.now().toString(36)}:`, coalesce, ttlSeconds: 300 };
  const publisher = createPublisher({ repository: repo, clock: systemClock, settings });
  const subscriber = createSubscriber({ repository: repo, clock: systemClock, settings });
  const latencies: number[] = [];
  let received = 0;
  let dones = 0;

  const subscriptions = Array.from({ length: tasks }, (_, i) => subscriber.open(`t${i}`));
  await Promise.all(subscriptions.map((s) => s.ready));
  const consumers = subscriptions.map(async (subscription) => {
    for await (const item of subscription) {
      const event = item.event;
      if (event.type === 'delta' && event.delta.type === 'text') {
        const now = performance.now();
        for (const stamp of event.delta.textDelta.split(';')) {
          if (stamp === '') continue;
          latencies.push(now - Number(stamp));
          received++;
        }
      } else if (event.type === 'done') {
        dones++;
        return;
      }
    }
  });

  const before = await commandStats(admin);
  let sent = 0;
  const interval = 1000 / rate;
  const producers = Array.from({ length: tasks }, async (_, i) => {
    const message = publisher.open(`t${i}`);
    await sleep(Math.random() * interval); // spread the tasks over the interval
    const end = performance.now() + seconds * 1000;
    let next = performance.now();
    while (performance.now() < end) {
      message.delta({ type: 'text', textDelta: `${performance.now().toFixed(3)};` });
      sent++;
      next += interval;
      await sleep(Math.max(0, next - performance.now()));
    }
    await message.done();
  });
  const probe = clientCountAfter(admin, (seconds * 1000) / 2);
  await Promise.all(producers);
  const connections = await probe;
  await Promise.race([Promise.all(consumers), sleepUnref(30_000)]);
  const diff = statsDiff(before, await commandStats(admin));
  latencies.sort((a, b) => a - b);
  const result: LatencyResult = {
    coalesce,
    tasks,
    ratePerTask: rate,
    seconds,
    sent,
    received,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    connections,
    readerConnections: repo.readerConnections,
    serverCommandsPerDelta: sumCalls(diff) / sent,
    clientCommandsPerDelta: clientSent(diff, SCRIPT_INNER) / sent,
    donePerTask: dones / tasks,
  };
  await publisher.close();
  await repo.close();
  admin.disconnect();
  return result;
}

await runAsScript(import.meta.url, async (url) => {
  const env = process.env;
  console.table([
    await runLatency(url, {
      tasks: Number(env['BENCH_TASKS'] ?? 1000),
      rate: Number(env['BENCH_RATE'] ?? 20),
      seconds: Number(env['BENCH_SECONDS'] ?? 10),
      coalesce: (env['BENCH_COALESCE'] as CoalesceMode | undefined) ?? 'coalesced',
    }),
  ]);
});
