/**
 * The raw baseline of the latency benchmarks: the same offered load written with plain
 * auto-pipelined `XADD key * data <json>` (no script, no TTL, no idempotency, no trimming) and
 * read back by one `XREAD BLOCK` loop over every subscribed topic on its own connection, parsing
 * each entry's JSON. It is what a hand-written writer + reader costs in Node CPU and latency.
 */
import { Redis } from 'ioredis';
import { cpuMicros, DeliveryStats, runSchedule, WINDOW_GRACE_MS, type LoadShape } from './load-schedule.js';

export interface RawResult {
  readonly offered: number;
  readonly receivedInWindow: number;
  readonly received: number;
  readonly latencies: number[];
  readonly cpuMicros: number;
}

export async function runRawLoad(url: string, shape: LoadShape & { readonly idle: number }): Promise<RawResult> {
  const run = `raw:${Date.now().toString(36)}`;
  const writer = new Redis(url, { enableAutoPipelining: true });
  const reader = new Redis(url);
  const keys = Array.from({ length: shape.tasks + shape.idle }, (_, i) => `${run}:t${i}`);
  const cursors = new Map(keys.map((k) => [k, '0-0']));
  const stats = new DeliveryStats();
  let reading = true;
  const offered = Math.round(shape.tasks * shape.rate * shape.seconds);
  const readLoop = (async () => {
    while (reading && stats.received < offered) {
      // RESP3 (ioredis 6's default) answers a flat [key, entries, key, entries, ...]
      const reply = (await reader.call('XREAD', 'COUNT', 100, 'BLOCK', 500, 'STREAMS', ...cursors.keys(), ...cursors.values())) as unknown[] | null;
      if (reply === null) continue;
      for (let i = 0; i + 1 < reply.length; i += 2) {
        const key = reply[i] as string;
        for (const [id, fields] of reply[i + 1] as [string, string[]][]) {
          const data = JSON.parse(fields[1]!) as { delta: { text_delta: string } };
          stats.record(data.delta.text_delta);
          cursors.set(key, id);
        }
      }
    }
  })();
  await writer.ping();
  await reader.ping();
  const cpu = process.cpuUsage();
  const started = performance.now();
  stats.windowEnd = started + shape.seconds * 1000 + WINDOW_GRACE_MS;
  await runSchedule(shape, (task, stamp) => {
    void writer.xadd(keys[task]!, '*', 'data', `{"type":"delta","index":0,"delta":{"type":"text","text_delta":"${stamp};"}}`);
  });
  const deadline = performance.now() + 30_000;
  while (stats.received < offered && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const used = cpuMicros(cpu);
  reading = false;
  reader.disconnect();
  await readLoop.catch(() => undefined);
  await writer.del(...keys.slice(0, shape.tasks));
  writer.disconnect();
  return { offered, receivedInWindow: stats.receivedInWindow, received: stats.received, latencies: stats.latencies, cpuMicros: used };
}
