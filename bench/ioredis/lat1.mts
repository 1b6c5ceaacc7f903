import { startRedis } from '/work/main/test/helpers/redis-server.js';
import { runLatency } from '/work/main/bench/ioredis/latency.js';
const server = await startRedis();
const r = await runLatency(server.url, { tasks: 1000, seconds: Number(process.env.S ?? 6), coalesce: 'per_token' });
console.log(JSON.stringify({ p50: r.p50Ms, p99: r.p99Ms, max: r.maxMs, cpu: r.cpuUsPerDelta, inwin: r.deliveredInWindow }));
await server.stop(); process.exit(0);
