/**
 * The write path alone, publisher included (no subscribers): `tasks` open messages at `rate`
 * deltas/s each (`per_token`, the latency benchmark's schedule), Node CPU µs per delta, and with
 * BENCH_PROFILE=1 the self time of the top functions (V8 CPU profiler), with BENCH_ALLOC=1 bytes allocated per delta with the top allocation sites (V8 sampling heap profiler).
 * Run: npx tsx bench/ioredis/publisher-cpu.ts  (BENCH_TASKS 1000, BENCH_RATE 20, BENCH_SECONDS 5, BENCH_ROUNDS 3)
 */
import { Session } from 'node:inspector/promises';
import { createIoredisRepository } from '../../src/adapters/ioredis/index.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { createPublisher } from '../../src/defaults.js';
import { cpuMicros, runSchedule } from './load-schedule.js';
import { fmt, runAsScript } from './support.js';

async function runOnce(url: string, shape: { tasks: number; rate: number; seconds: number }): Promise<number> {
  const repo = createIoredisRepository({ url });
  const publisher = createPublisher({ repository: repo, clock: systemClock, settings: { keyPrefix: `pub:${Date.now().toString(36)}:`, coalesce: 'per_token', ttlSeconds: 300 } });
  const messages = Array.from({ length: shape.tasks }, (_, i) => publisher.open(`t${i}`));
  const cpu = process.cpuUsage();
  const sent = await runSchedule(shape, (task, stamp) => messages[task]!.delta({ type: 'text', textDelta: `${stamp};` }));
  await Promise.all(messages.map((m) => m.flush()));
  const used = cpuMicros(cpu);
  await Promise.all(messages.map((m) => m.done()));
  await publisher.close();
  await repo.close();
  return used / sent;
}

interface CpuProfile { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] }
interface HeapNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: HeapNode[] }

await runAsScript(import.meta.url, async (url) => {
  const env = process.env;
  const shape = { tasks: Number(env['BENCH_TASKS'] ?? 1000), rate: Number(env['BENCH_RATE'] ?? 20), seconds: Number(env['BENCH_SECONDS'] ?? 5) };
  if (env['BENCH_PROFILE'] === '1') {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    await runOnce(url, shape);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    let busy = 0;
    profile.samples.forEach((id, i) => {
      const { callFrame } = byId.get(id)!;
      if (callFrame.functionName === '(idle)') return;
      const key = `${callFrame.functionName || '(anon)'} ${callFrame.url.split('/').slice(-2).join('/')}:${callFrame.lineNumber}`;
      const t = profile.timeDeltas[i] ?? 0;
      busy += t;
      self.set(key, (self.get(key) ?? 0) + t);
    });
    console.log(`busy ${fmt(busy / 1e6, 2)} s`);
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(fmt((v / busy) * 100, 1).padStart(5), k);
    return;
  }
  if (env['BENCH_ALLOC'] === '1') {
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
    await runOnce(url, shape);
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: HeapNode } };
    const self = new Map<string, number>();
    let total = 0;
    const walk = (n: HeapNode): void => {
      const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + n.selfSize);
      total += n.selfSize;
      n.children.forEach(walk);
    };
    walk(profile.head);
    const deltas = shape.tasks * shape.rate * shape.seconds;
    console.log(`bytes/delta ${fmt(total / deltas, 0)}`);
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(fmt(v / deltas, 0).padStart(6), k);
    return;
  }
  for (let round = 0; round < Number(env['BENCH_ROUNDS'] ?? 3); round++) console.log(`round ${round + 1}: ${fmt(await runOnce(url, shape), 2)} µs CPU / delta`);
});
