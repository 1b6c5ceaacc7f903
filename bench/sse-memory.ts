/**
 * RSS cost of one 20 MB foreign entry for 40 SSE clients that never read (issue 8, item 3).
 *
 * `npx tsx bench/sse-memory.ts [clients] [entryMB]` runs each variant in its own Node process
 * (`--expose-gc`, so every figure starts from a collected heap): a Node `http` server serving
 * `sendSse` on the memory backend, `clients` raw TCP clients that send the request and then
 * never read (paused sockets), and a foreign `XADD` of a text delta of `entryMB` MB followed by a
 * `done` and `COMPLETED`. Variants:
 * - `shared`: taskstream as it is: one encoded frame per entry, shared by every reader.
 * - `per-reader`: the same handler, but each request gets its own subscriber object, so each
 *   reader encodes its own copy of the frame (what the edge did before: the naive baseline).
 * RSS growth is measured from just before the append (clients connected, the entry's own string
 * already allocated: in production it sits in Redis) to the peak while the frames are delivered,
 * and to the settled value after a GC.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { sendSse } from '../src/adapters/http/index.js';
import { createMemoryRepository } from '../src/adapters/memory/index.js';
import { systemClock } from '../src/adapters/clock/system-clock.js';
import { createPublisher } from '../src/defaults.js';
import { createSubscriber } from '../src/defaults.js';
import type { Subscriber } from '../src/domain/subscriber/index.js';

type Variant = 'shared' | 'per-reader';
interface Result {
  readonly variant: Variant;
  readonly peakGrowthMB: number;
  readonly settledGrowthMB: number;
}

const MB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function child(variant: Variant, clients: number, entryMB: number): Promise<Result> {
  const repository = createMemoryRepository();
  const subscriber = createSubscriber({ repository, clock: systemClock });
  const publisher = createPublisher({ repository, clock: systemClock });
  const served: Subscriber = subscriber;
  const server = http.createServer((req, res) => {
    const source = variant === 'shared' ? served : { open: served.open.bind(served) };
    void sendSse(source, 'big', req, res, { keepAliveMs: 0 });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const sockets = await Promise.all(
    Array.from({ length: clients }, () => new Promise<net.Socket>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => {
        socket.write('GET /tasks/big/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        socket.once('data', () => {
          socket.pause(); // from here on the client never reads
          resolve(socket);
        });
      });
    })),
  );
  // The foreign entry, as a backend would hold it: allocated before the baseline (in production it lives in Redis).
  const entry = { data: `{"type":"delta","index":0,"delta":{"type":"text","text_delta":"${'x'.repeat(entryMB * MB)}"}}` };
  await sleep(300);
  gc();
  await sleep(100);
  gc();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  // The foreign writer: one text delta of entryMB MB, as agentex would XADD it.
  await repository.append({ topic: 'task:big', entries: [entry], maxLen: 0, ttlSeconds: 0 });
  const message = publisher.open('big', { index: 1 });
  await message.done();
  await publisher.updateTask('big', 'COMPLETED');
  await sleep(3_000);
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(sampler);
  gc();
  await sleep(200);
  gc();
  const settled = process.memoryUsage().rss;
  for (const s of sockets) s.destroy();
  server.closeAllConnections();
  server.close();
  return { variant, peakGrowthMB: (peak - before) / MB, settledGrowthMB: (settled - before) / MB };
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--child') {
    const [variant, clients, entryMB] = rest;
    const result = await child(variant as Variant, Number(clients), Number(entryMB));
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
  }
  const clients = Number(mode ?? 40);
  const entryMB = Number(rest[0] ?? 20);
  const script = fileURLToPath(import.meta.url);
  const results: Result[] = [];
  for (const variant of ['per-reader', 'shared'] as const) {
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--child', variant, String(clients), String(entryMB)], { encoding: 'utf8', timeout: 120_000 });
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (line === undefined) throw new Error(`${variant} failed: ${run.stderr}`);
    results.push(JSON.parse(line.slice(7)) as Result);
  }
  const base = results[0]!;
  console.log(`${clients} stalled SSE clients, one ${entryMB} MB foreign entry (RSS growth, MB)\n`);
  console.log('| variant | peak growth | settled growth (after GC) | peak vs per-reader | settled vs per-reader |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of results) {
    const ratio = (a: number, b: number): string => `${(a / b).toFixed(3)}x`;
    console.log(`| ${r.variant} | ${r.peakGrowthMB.toFixed(1)} | ${r.settledGrowthMB.toFixed(1)} | ${ratio(r.peakGrowthMB, base.peakGrowthMB)} | ${ratio(r.settledGrowthMB, base.settledGrowthMB)} |`);
  }
}

await main();
