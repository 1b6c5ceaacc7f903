/**
 * End-to-end latency from `delta()` to a subscriber with many concurrent tasks, all in one
 * process over one repository: `tasks` tasks at `rate` deltas/s each, one subscriber per task,
 * plus `idle` subscribed tasks that never publish. Reports the share of offered deltas delivered
 * in the window, p50/p99, Node CPU per delivered delta (publisher + subscriber, `process.cpuUsage`),
 * the Redis connections the process holds, and commands per delta.
 * Run: npx tsx bench/ioredis/latency.ts  (BENCH_SECONDS, BENCH_TASKS, BENCH_RATE, BENCH_IDLE, BENCH_COALESCE)
 */
import { Redis } from 'ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../src/adapters/ioredis/index.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { createPublisher } from '../../src/defaults.js';
import { createSubscriber } from '../../src/defaults.js';
import type { MessageContext } from '../../src/domain/publisher/index.js';
import type { CoalesceMode } from '../../src/domain/config.js';
import { cpuMicros, DeliveryStats, runSchedule, WINDOW_GRACE_MS } from './load-schedule.js';
import { clientCountAfter, clientSent, commandStats, percentile, runAsScript, SCRIPT_INNER, sleepUnref, statsDiff, sumCalls } from './support.js';

export interface LatencyResult {
  readonly coalesce: CoalesceMode;
  readonly tasks: number;
  readonly idle: number;
  readonly ratePerTask: number;
  readonly seconds: number;
  readonly offered: number;
  /** Share of offered deltas a subscriber got by the end of the window (+100 ms). */
  readonly deliveredInWindow: number;
  readonly received: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Node CPU (user + system) per delivered delta, µs: publisher, repository and subscribers. */
  readonly cpuUsPerDelta: number;
  readonly connections: number;
  readonly readerConnections: number;
  readonly serverCommandsPerDelta: number;
  readonly clientCommandsPerDelta: number;
  /** Appends per offered delta (each append of the publisher runs one HMGET in the script): below 1 when the publisher's queue merges deltas because it lags. */
  readonly appendsPerDelta: number;
  readonly donePerTask: number;
}

export interface LatencyOptions {
  readonly tasks?: number;
  readonly rate?: number;
  readonly seconds?: number;
  readonly coalesce?: CoalesceMode;
  readonly idle?: number;
  /** The repository under test (default: `createIoredisRepository({ url })`). */
  readonly repository?: (url: string) => IoredisRepository;
}

export async function runLatency(url: string, options: LatencyOptions = {}): Promise<LatencyResult> {
  const tasks = options.tasks ?? 1_000;
  const rate = options.rate ?? 20;
  const seconds = options.seconds ?? 10;
  const idle = options.idle ?? 0;
  const coalesce = options.coalesce ?? 'coalesced';
  const admin = new Redis(url);
  const repo = options.repository?.(url) ?? createIoredisRepository({ url });
  const settings = { keyPrefix: `lat:${Date.now().toString(36)}:`, coalesce, ttlSeconds: 300 };
  const publisher = createPublisher({ repository: repo, clock: systemClock, settings });
  const subscriber = createSubscriber({ repository: repo, clock: systemClock, settings });
  const stats = new DeliveryStats();
  let dones = 0;

  const subscriptions = Array.from({ length: tasks + idle }, (_, i) => subscriber.open(`t${i}`));
  await Promise.all(subscriptions.map((s) => s.ready));
  // idle subscriptions iterate too: each holds a blocking read on its topic, as a live SSE client would
  const consumers = subscriptions.map(async (subscription) => {
    for await (const item of subscription) {
      const event = item.event;
      if (event.type === 'delta' && event.delta.type === 'text') stats.record(event.delta.textDelta);
      else if (event.type === 'done') {
        dones++;
        return;
      }
    }
  });
  const messages: MessageContext[] = Array.from({ length: tasks }, (_, i) => publisher.open(`t${i}`));

  const before = await commandStats(admin);
  const offered = Math.round(tasks * rate * seconds);
  const cpu = process.cpuUsage();
  stats.windowEnd = performance.now() + seconds * 1000 + WINDOW_GRACE_MS;
  const probe = clientCountAfter(admin, (seconds * 1000) / 2);
  await runSchedule({ tasks, rate, seconds }, (task, stamp) => messages[task]!.delta({ type: 'text', textDelta: `${stamp};` }));
  const deadline = performance.now() + 30_000;
  while (stats.received < offered && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const cpuUsed = cpuMicros(cpu);
  const diff = statsDiff(before, await commandStats(admin));
  const connections = await probe;
  await Promise.all(messages.map((m) => m.done()));
  await Promise.race([Promise.all(consumers.slice(0, tasks)), sleepUnref(30_000)]);
  for (const s of subscriptions.slice(tasks)) s.close();
  await Promise.race([Promise.all(consumers), sleepUnref(5_000)]);
  const latencies = stats.latencies.sort((a, b) => a - b);
  const result: LatencyResult = {
    coalesce,
    tasks,
    idle,
    ratePerTask: rate,
    seconds,
    offered,
    deliveredInWindow: stats.receivedInWindow / offered,
    received: stats.received,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    cpuUsPerDelta: cpuUsed / Math.max(1, stats.received),
    connections,
    readerConnections: repo.readerConnections,
    serverCommandsPerDelta: sumCalls(diff) / offered,
    clientCommandsPerDelta: clientSent(diff, SCRIPT_INNER) / offered,
    appendsPerDelta: (diff.get('hmget') ?? 0) / offered,
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
      idle: Number(env['BENCH_IDLE'] ?? 0),
      coalesce: (env['BENCH_COALESCE'] as CoalesceMode | undefined) ?? 'coalesced',
    }),
  ]);
});
