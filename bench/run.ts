/**
 * `npm run bench`: every benchmark, one after another, each with its baseline in the same run.
 * Fake-clock benches print tables; the Redis and Upstash benches start their own servers on
 * loopback (Debian's redis-server) and write their reports under docs/.
 */
import { spawnSync } from 'node:child_process';

const BENCHES: readonly (readonly string[])[] = [
  ['bench/idle-timers.ts'],
  ['bench/coalescing.ts'],
  ['bench/sse-memory.ts', '40', '20'],
  ['bench/ioredis/run-all.ts'],
  ['bench/upstash/requests.ts', '100', '10', '15'],
];

let failed = 0;
for (const [script, ...args] of BENCHES) {
  console.log(`\n=== ${script} ${args.join(' ')}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', script!, ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.error(`${script} exited with ${result.status ?? result.signal}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
