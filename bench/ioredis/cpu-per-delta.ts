/**
 * Node CPU per delivered delta of the append paths of the ioredis repository, side by side in
 * one run on the same load (default 1,000 tasks x 20 deltas/s, `per_token`, one subscriber per
 * task, all in one process): the raw baseline (`raw-baseline.ts`: auto-pipelined `XADD` read back
 * by one `XREAD BLOCK` loop), one append script call per append (`batchAppends: false`), and the
 * appends of one tick batched into multi-append calls, flushed after the current microtasks, on
 * `setImmediate`, or adaptively (microtasks while no call is in flight, else `setImmediate`: the default). The variants run interleaved, `BENCH_ROUNDS` times each; read the ratios to raw.
 * Run: npx tsx bench/ioredis/cpu-per-delta.ts  (BENCH_SECONDS default 5, BENCH_TASKS 1000, BENCH_ROUNDS 2)
 */
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { IoredisRepository } from '../../src/adapters/ioredis/index.js';
import { MAX_APPENDS_PER_CALL, type AppendFlush } from '../../src/adapters/ioredis/append-batcher.js';
import { resolveConnection } from '../../src/adapters/ioredis/connection.js';
import { runLatency } from './latency.js';
import { runRawLoad } from './raw-baseline.js';
import { fmt, percentile, runAsScript } from './support.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface Row {
  readonly variant: string;
  readonly deliveredInWindow: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerDelta: number;
  readonly scriptCallsPerDelta: number;
  readonly appendsPerDelta: number;
}

function repository(url: string, flush: AppendFlush | undefined): IoredisRepository {
  return new IoredisRepository(resolveConnection({ url }), {
    clock: systemClock,
    logger: quiet,
    producersKeyPrefix: 'taskstream:producers:',
    defaultReadCount: 100,
    maxBlockMs: 5_000,
    clusterPollMs: 20,
    appendBatch: flush === undefined ? undefined : { maxAppends: MAX_APPENDS_PER_CALL, flush },
  });
}

const VARIANTS: readonly { readonly name: string; readonly flush: AppendFlush | undefined }[] = [
  { name: 'one call per append', flush: undefined },
  { name: 'batched, microtask', flush: 'microtask' },
  { name: 'batched, setImmediate', flush: 'immediate' },
  { name: 'batched, adaptive (default)', flush: 'adaptive' },
];

export async function runCpuPerDelta(url: string, options: { tasks: number; seconds: number; rounds: number; rate?: number }): Promise<Row[]> {
  const rate = options.rate ?? 20;
  const rows: Row[] = [];
  for (let round = 0; round < options.rounds; round++) {
    console.log(`round ${round + 1}: raw...`);
    const raw = await runRawLoad(url, { tasks: options.tasks, idle: 0, rate, seconds: options.seconds });
    const sorted = raw.latencies.sort((a, b) => a - b);
    rows.push({
      variant: 'raw XADD + XREAD',
      deliveredInWindow: raw.receivedInWindow / raw.offered,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      cpuUsPerDelta: raw.cpuMicros / Math.max(1, raw.received),
      scriptCallsPerDelta: 0,
      appendsPerDelta: 1,
    });
    for (const variant of VARIANTS) {
      console.log(`round ${round + 1}: ${variant.name}...`);
      const r = await runLatency(url, { tasks: options.tasks, rate, seconds: options.seconds, coalesce: 'per_token', repository: (u) => repository(u, variant.flush) });
      rows.push({ variant: variant.name, deliveredInWindow: r.deliveredInWindow, p50Ms: r.p50Ms, p99Ms: r.p99Ms, cpuUsPerDelta: r.cpuUsPerDelta, scriptCallsPerDelta: r.clientCommandsPerDelta, appendsPerDelta: r.appendsPerDelta });
    }
  }
  return rows;
}

/** Server-side µs spent in `commands` so far (`INFO commandstats` usec; a script's usec covers the commands it runs). */
async function serverUsec(admin: { info(section: string): Promise<string> }, commands: readonly string[]): Promise<number> {
  const info = await admin.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/cmdstat_([^:]+):calls=\d+,usec=(\d+)/g)) if (commands.includes(m[1]!)) total += Number(m[2]);
  return total;
}

export interface AppendOnlyRow {
  readonly variant: string;
  readonly cpuUsPerAppend: number;
  readonly wallUsPerAppend: number;
  /** Redis CPU per append (the `XADD`, or the script calls' share). */
  readonly serverUsPerAppend: number;
}

/**
 * The writer alone, without subscribers and without the publisher's own batching: `waves` times,
 * one one-entry append (one field, `data`, as the raw baseline writes) to each of `topics` topics
 * issued in one synchronous loop, then awaited. Node CPU µs per append for raw auto-pipelined
 * `XADD`, one script call per append, and batched; and Redis's µs per append.
 */
export async function runAppendOnly(url: string, options: { topics: number; waves: number }): Promise<AppendOnlyRow[]> {
  const { Redis } = await import('ioredis');
  const admin = new Redis(url);
  const out: AppendOnlyRow[] = [];
  const run = `ao:${Date.now().toString(36)}`;
  const topics = Array.from({ length: options.topics }, (_, i) => `${run}:t${i}`);
  const entry = (w: number) => ({ data: `{"type":"delta","index":0,"delta":{"type":"text","text_delta":"${w};"}}` });
  const measure = async (variant: string, commands: readonly string[], send: (topic: string, w: number) => Promise<unknown>) => {
    for (const t of topics.slice(0, 10)) await send(t, -1);
    const server = await serverUsec(admin, commands);
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let w = 0; w < options.waves; w++) await Promise.all(topics.map((t) => send(t, w)));
    const d = process.cpuUsage(cpu);
    const wall = performance.now() - started;
    const n = options.waves * options.topics;
    out.push({ variant, cpuUsPerAppend: (d.user + d.system) / n, wallUsPerAppend: (wall * 1000) / n, serverUsPerAppend: ((await serverUsec(admin, commands)) - server) / n });
  };
  const writer = new Redis(url, { enableAutoPipelining: true });
  await measure('raw XADD', ['xadd'], (t, w) => writer.xadd(t, '*', 'data', entry(w).data));
  writer.disconnect();
  for (const variant of VARIANTS) {
    const repo = repository(url, variant.flush);
    let seq = 0;
    await measure(variant.name, ['eval', 'evalsha'], (t, w) => repo.append({ topic: t, entries: [entry(w)], maxLen: 1000, ttlSeconds: 300, idempotency: { producerId: 'p', seqs: [seq++] }, message: { key: '0', terminal: false } }));
    await repo.close();
  }
  admin.disconnect();
  return out;
}

/** One line per variant and round, CPU as a ratio to the raw baseline of the same round. */
export function cpuTable(rows: readonly Row[]): string {
  const header = ['variant', 'delivered in window', 'p50 / p99 ms', 'CPU µs / delta', 'CPU vs raw', 'client commands / delta', 'appends / delta'];
  let raw = Number.NaN;
  const lines = rows.map((r) => {
    if (r.variant.startsWith('raw')) raw = r.cpuUsPerDelta;
    return [r.variant, `${fmt(r.deliveredInWindow * 100, 1)} %`, `${fmt(r.p50Ms)} / ${fmt(r.p99Ms)}`, fmt(r.cpuUsPerDelta, 1), `${fmt(r.cpuUsPerDelta / raw, 2)}x`, fmt(r.scriptCallsPerDelta, 3), fmt(r.appendsPerDelta, 2)];
  });
  return [header, ...lines].map((l) => `| ${l.join(' | ')} |`).join('\n');
}

await runAsScript(import.meta.url, async (url) => {
  const env = process.env;
  const tasks = Number(env['BENCH_TASKS'] ?? 1000);
  const rounds = Number(env['BENCH_ROUNDS'] ?? 2);
  if (rounds > 0) console.log(cpuTable(await runCpuPerDelta(url, { tasks, seconds: Number(env['BENCH_SECONDS'] ?? 5), rounds })));
  for (let round = 0; round < Number(env['BENCH_APPEND_ROUNDS'] ?? 2); round++) {
    const rows = await runAppendOnly(url, { topics: tasks, waves: Number(env['BENCH_WAVES'] ?? 100) });
    const raw = rows[0]!.cpuUsPerAppend;
    console.log(`append only, round ${round + 1}: ${rows.map((r) => `${r.variant} ${fmt(r.cpuUsPerAppend, 1)} µs CPU (${fmt(r.cpuUsPerAppend / raw, 2)}x), ${fmt(r.wallUsPerAppend, 1)} µs wall, ${fmt(r.serverUsPerAppend, 1)} µs Redis`).join('; ')}`);
  }
});
