/**
 * taskstream/resumable-stream side by side with resumable-stream 2.x on one redis-server and one
 * workload: connections for S streams x R readers, commands per chunk, p50/p99 chunk latency at
 * the readers (another instance than the writer), Redis memory after 1,000 finished streams, and
 * whether a reader resumes after the writer's instance went away.
 * Run: npx tsx bench/resumable-stream/compare.ts   (BENCH_STREAMS, BENCH_CHUNKS, BENCH_RATE)
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { clientCount, commandStats, fmt, percentile, runAsScript, sleep, sleepUnref, statsDiff, sumCalls } from '../ioredis/support.js';
import { ours, theirs, type System } from './systems.js';
import { readStamped, stampedSource, type Workload } from './workload.js';

export interface FanOutRow {
  readonly system: string;
  readonly connections: number;
  readonly commandsPerChunk: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly complete: boolean;
}

export async function fanOut(url: string, admin: Redis, system: System, workload: Workload): Promise<FanOutRow> {
  await admin.flushdb();
  const writer = system.instance(url);
  const reader = system.instance(url);
  const before = await commandStats(admin);
  const redisBefore = await redisUsage(admin);
  let release!: () => void;
  const go = new Promise<void>((resolve) => (release = resolve));
  const ids = Array.from({ length: workload.streams }, (_, i) => `s${i}`);
  const own = await Promise.all(ids.map((id) => writer.context().createNewResumableStream(id, () => stampedSource(workload, go))));
  const latencies: number[] = [];
  const readers = await Promise.all(ids.flatMap((id) => Array.from({ length: workload.readersPerStream }, () => reader.context().resumeExistingStream(id))));
  const texts = readers.map((s) => (s ? readStamped(s, latencies) : Promise.resolve('')));
  const ownTexts = own.map((s) => (s ? readStamped(s, []) : Promise.resolve('')));
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const gcPauses: number[] = [];
  const gcObserver = new PerformanceObserver((list) => void gcPauses.push(...list.getEntries().map((e) => e.duration)));
  if (process.env['BENCH_DEBUG']) {
    loop.enable();
    gcObserver.observe({ entryTypes: ['gc'] });
  }
  release();
  await sleep((workload.chunksPerStream / workload.rate) * 500);
  const connections = await clientCount(admin);
  const expected = await Promise.all(ownTexts);
  const got = await Promise.race([Promise.all(texts), sleepUnref(60_000).then(() => [] as string[])]);
  await sleep(200); // let the writers' final appends land
  const diff = statsDiff(before, await commandStats(admin));
  if (process.env['BENCH_DEBUG']) {
    const after = await redisUsage(admin);
    console.log(system.name, Object.fromEntries(diff), { redisCpuMs: after.cpuMs - redisBefore.cpuMs, redisOutKB: (after.outBytes - redisBefore.outBytes) / 1024 });
  }
  await writer.close();
  await reader.close();
  if (process.env['BENCH_DEBUG']) {
    loop.disable();
    gcObserver.disconnect();
    console.log(system.name, `event-loop delay p99 ${fmt(loop.percentile(99) / 1e6, 1)} ms, max ${fmt(loop.max / 1e6, 1)} ms; GC pauses ${gcPauses.length}, total ${fmt(gcPauses.reduce((a, b) => a + b, 0), 0)} ms, max ${fmt(Math.max(0, ...gcPauses), 1)} ms`);
    const cut = Math.floor(latencies.length * 0.4);
    const p99of = (xs: number[]): string => fmt(percentile([...xs].sort((a, b) => a - b), 99), 1);
    console.log(system.name, `p99 of the first 40% of receipts ${p99of(latencies.slice(0, cut))} ms, of the rest ${p99of(latencies.slice(cut))} ms`);
  }
  latencies.sort((a, b) => a - b);
  return {
    system: system.name,
    connections,
    commandsPerChunk: sumCalls(diff) / (workload.streams * workload.chunksPerStream),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    complete: got.length === readers.length && got.every((t, i) => t === expected[Math.floor(i / workload.readersPerStream)] && t.length > 0),
  };
}

/** Redis's own CPU time (user + sys) and bytes it sent to clients so far. */
async function redisUsage(admin: Redis): Promise<{ cpuMs: number; outBytes: number }> {
  const info = await admin.info();
  const num = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return { cpuMs: (num('used_cpu_user') + num('used_cpu_sys')) * 1000, outBytes: num('total_net_output_bytes') };
}

/** Bytes Redis holds after `streams` finished streams of `chunks` chunks each (no readers). */
export async function memoryAfterFinished(url: string, admin: Redis, system: System, streams: number, chunks: number): Promise<number> {
  await admin.flushdb();
  const baseline = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
  const writer = system.instance(url);
  const workload = { streams, readersPerStream: 0, chunksPerStream: chunks, rate: 10_000 };
  for (let i = 0; i < streams; i += 100) {
    const batch = Array.from({ length: Math.min(100, streams - i) }, (_, j) => `m${i + j}`);
    const own = await Promise.all(batch.map((id) => writer.context().createNewResumableStream(id, () => stampedSource(workload, Promise.resolve()))));
    await Promise.all(own.map((s) => (s ? readStamped(s, []) : '')));
  }
  await sleep(500);
  await writer.close();
  return Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]) - baseline;
}

/** A writer writes 10 chunks, then its instance goes away (connections closed, as on exit); what does a reader elsewhere get within 5 s? */
export async function resumeAfterWriterExit(url: string, admin: Redis, system: System): Promise<string> {
  await admin.flushdb();
  const writer = system.instance(url);
  const reader = system.instance(url);
  let emit!: (chunk: string) => void;
  const source = new ReadableStream<string>({ start: (c) => void (emit = (chunk) => c.enqueue(chunk)) });
  const own = await writer.context().createNewResumableStream('gone', () => source);
  for (let i = 0; i < 10; i++) emit(`chunk${i};`);
  const ownReader = own!.getReader();
  for (let i = 0; i < 10; i++) await ownReader.read();
  await sleep(200);
  await writer.close();
  const started = performance.now();
  try {
    const stream = await Promise.race([reader.context().resumeExistingStream('gone'), sleepUnref(5_000).then(() => 'timeout' as const)]);
    if (stream === 'timeout') return 'no: resumeExistingStream did not settle in 5 s';
    if (!stream) return `no: resumeExistingStream returned ${String(stream)}`;
    const text = await Promise.race([readStamped(stream, []), sleepUnref(5_000).then(() => '(hung 5 s)')]);
    const chunks = text.split(';').filter((t) => t.startsWith('chunk')).length;
    return `${chunks === 10 ? 'yes' : 'no'}: got ${chunks}/10 chunks, stream ${text.endsWith('(hung 5 s)') ? 'hung' : `ended after ${fmt(performance.now() - started, 0)} ms`}`;
  } catch (err) {
    return `no: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    await reader.close();
  }
}

export async function runComparison(url: string, workload: Workload): Promise<void> {
  const admin = new Redis(url);
  const only = process.env['BENCH_ONLY'];
  const extra = process.env['BENCH_AUTOPIPELINED'] === 'both' ? [ours('per_chunk', { autoPipelined: true })] : [];
  const systems = [theirs(true), theirs(false), ours('per_chunk'), ...extra, ours('coalesced')].filter((s) => only === undefined || s.name.includes(only));
  const rows: FanOutRow[] = [];
  // Warm both up first (JIT, script load, connection setup), the same way, so the measured passes compare steady states.
  const warmChunks = Number(process.env['BENCH_WARMUP_CHUNKS'] ?? 50);
  if (warmChunks > 0) for (const system of systems) await fanOut(url, admin, system, { ...workload, chunksPerStream: warmChunks });
  // Two passes in opposite orders: on a shared machine the load drifts, so each system runs early once and late once.
  const passes = Number(process.env['BENCH_PASSES'] ?? 2);
  const order = Array.from({ length: passes }, (_, pass) => (pass % 2 === 0 ? systems : [...systems].reverse())).flat();
  for (const system of order) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    rows.push(await fanOut(url, admin, system, workload));
    const used = process.cpuUsage(cpu);
    if (process.env['BENCH_DEBUG']) console.log(system.name, 'cpu ms', (used.user + used.system) / 1000, 'wall ms', performance.now() - started);
  }
  console.log(`fan-out: ${workload.streams} streams x ${workload.readersPerStream} readers, ${workload.chunksPerStream} chunks/stream at ${workload.rate}/s`);
  rows.sort((a, b) => systems.findIndex((s) => s.name === a.system) - systems.findIndex((s) => s.name === b.system));
  console.table(rows.map((r) => ({ ...r, commandsPerChunk: fmt(r.commandsPerChunk, 2), p50Ms: fmt(r.p50Ms, 2), p99Ms: fmt(r.p99Ms, 2) })));
  if (process.env['BENCH_FANOUT_ONLY']) return void admin.disconnect();
  const memory = [];
  for (const system of [theirs(false), ours('coalesced'), ours('per_chunk')]) memory.push({ system: system.name, bytesAfter1000Finished: await memoryAfterFinished(url, admin, system, 1_000, workload.chunksPerStream) });
  console.table(memory);
  const exits = [];
  for (const system of [theirs(false), ours('per_chunk', { leaseMs: 2_000 })]) exits.push({ system: system.name, readerResumesAfterWriterExit: await resumeAfterWriterExit(url, admin, system) });
  console.table(exits);
  admin.disconnect();
}

await runAsScript(import.meta.url, (url) =>
  runComparison(url, {
    streams: Number(process.env['BENCH_STREAMS'] ?? 100),
    readersPerStream: 3,
    chunksPerStream: Number(process.env['BENCH_CHUNKS'] ?? 100),
    rate: Number(process.env['BENCH_RATE'] ?? 50),
  }),
);
