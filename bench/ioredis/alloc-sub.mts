import { Session } from 'node:inspector/promises';
import { startRedis } from '../../test/helpers/redis-server.js';
import { runSubscriberCpu } from './subscriber-cpu.js';
const server = await startRedis();
const src = new URL('../../src', import.meta.url).pathname;
await runSubscriberCpu(server.url, { name: 'x', src }, { subscriptions: 1000, waves: 10, entries: 1 });
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
const waves = 100;
await runSubscriberCpu(server.url, { name: 'x', src }, { subscriptions: 1000, waves, entries: 1 });
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }
const self = new Map<string, number>();
let total = 0;
function walk(n: Node): void {
  const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + n.selfSize);
  total += n.selfSize;
  for (const c of n.children) walk(c);
}
walk(profile.head);
console.log('bytes/entry', (total / (waves * 1000)).toFixed(0));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(((v / total) * 100).toFixed(1).padStart(5), (v / (waves * 1000)).toFixed(0).padStart(6), k);
await server.stop();
process.exit(0);
