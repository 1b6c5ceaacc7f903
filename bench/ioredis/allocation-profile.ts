/**
 * Where the process allocates, per delivered delta, at 1,000 tasks x 20 Hz (per_token): V8's
 * sampling heap profiler, counting objects already collected too. Prints bytes per delta and the
 * top allocation sites (self and inclusive). Run: npx tsx bench/ioredis/allocation-profile.ts
 * (BENCH_TASKS, BENCH_SECONDS)
 */
import { Session } from 'node:inspector/promises';
import { startRedis } from '../../test/helpers/redis-server.js';
import { runLatency } from './latency.js';
const server = await startRedis();
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
const r = await runLatency(server.url, { tasks: Number(process.env['BENCH_TASKS'] ?? 1000), seconds: Number(process.env['BENCH_SECONDS'] ?? 3), coalesce: 'per_token' });
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }
const self = new Map<string, number>();
const incl = new Map<string, number>();
let total = 0;
function walk(n: Node, stack: string[]): number {
  const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + n.selfSize);
  total += n.selfSize;
  let sum = n.selfSize;
  for (const c of n.children) sum += walk(c, [...stack, key]);
  if (!stack.includes(key)) incl.set(key, (incl.get(key) ?? 0) + sum);
  return sum;
}
walk(profile.head, []);
console.log('received', r.received, 'total MB', (total / 1e6).toFixed(1), 'bytes/delta', (total / r.received).toFixed(0));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log('self', ((v / total) * 100).toFixed(1).padStart(5), k);
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log('incl', ((v / total) * 100).toFixed(1).padStart(5), k);
await server.stop();
process.exit(0);
