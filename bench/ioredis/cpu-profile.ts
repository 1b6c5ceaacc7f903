/**
 * Where the process spends CPU at 1,000 tasks x 20 Hz (`per_token`, batched appends): V8's CPU
 * profiler over one latency run; prints the self-time share of the top functions and of each
 * area (taskstream src, ioredis, GC, ...). BENCH_RAW=1 profiles the raw baseline instead.
 * Run: npx tsx bench/ioredis/cpu-profile.ts  (BENCH_TASKS, BENCH_SECONDS, BENCH_RAW, BENCH_PROFILE_OUT)
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { startRedis } from '../../test/helpers/redis-server.js';
import { runLatency } from './latency.js';
import { runRawLoad } from './raw-baseline.js';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const env = process.env;
const tasks = Number(env['BENCH_TASKS'] ?? 1000);
const seconds = Number(env['BENCH_SECONDS'] ?? 5);
const server = await startRedis();
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
await session.post('Profiler.start');
if (env['BENCH_RAW'] === '1') await runRawLoad(server.url, { tasks, idle: 0, rate: 20, seconds });
else await runLatency(server.url, { tasks, seconds, coalesce: 'per_token' });
const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
if (env['BENCH_PROFILE_OUT']) writeFileSync(env['BENCH_PROFILE_OUT'], JSON.stringify(profile));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const area = (url: string, name: string): string => {
  if (name === '(garbage collector)') return 'gc';
  if (name === '(idle)' || name === '(program)') return name;
  if (url.includes('/src/')) return 'taskstream';
  if (url.includes('node_modules/ioredis') || url.includes('redis-parser') || url.includes('@ioredis')) return 'ioredis';
  if (url.includes('/bench/')) return 'bench';
  if (url.startsWith('node:') || url === '') return 'node/native';
  return 'other';
};
const fns = new Map<string, number>();
const areas = new Map<string, number>();
let busy = 0;
for (const [id, t] of self) {
  const { callFrame } = byId.get(id)!;
  const a = area(callFrame.url, callFrame.functionName);
  if (a === '(idle)') continue;
  busy += t;
  areas.set(a, (areas.get(a) ?? 0) + t);
  const key = `${callFrame.functionName || '(anon)'} ${callFrame.url.split('/').slice(-2).join('/')}:${callFrame.lineNumber}`;
  fns.set(key, (fns.get(key) ?? 0) + t);
}
const pct = (t: number): string => ((t / busy) * 100).toFixed(1).padStart(5);
console.log(`busy ${(busy / 1e6).toFixed(2)} s`);
for (const [k, v] of [...areas].sort((a, b) => b[1] - a[1])) console.log('area', pct(v), k);
for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, Number(env['BENCH_TOP'] ?? 45))) console.log('self', pct(v), k);
await server.stop();
process.exit(0);
