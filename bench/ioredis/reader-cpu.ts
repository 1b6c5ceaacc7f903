/**
 * The multiplexed reader alone: `BENCH_WAITERS` waiters, one topic each, each reading again from
 * its last id as soon as it is served; every wave appends `BENCH_ENTRIES` entries to every topic
 * in one pipeline (a separate connection) and waits until every waiter got them. Node CPU µs per
 * dispatched entry (`process.cpuUsage`, writer included: the same for every variant). With
 * `BENCH_BASELINE_SRC=/path/to/other/src` the reader of that tree runs too, interleaved round by
 * round with this one (which goes first alternates), on the same server: read the ratio.
 * Run: npx tsx bench/ioredis/reader-cpu.ts  (BENCH_WAITERS 1000, BENCH_WAVES 200, BENCH_ENTRIES 1, BENCH_ROUNDS 3)
 */
import { Redis } from 'ioredis';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { resolveConnection } from '../../src/adapters/ioredis/connection.js';
import { MultiplexedReader } from '../../src/adapters/ioredis/multiplexed-reader.js';
import { fmt, runAsScript } from './support.js';

type ReaderClass = typeof MultiplexedReader;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function runOnce(url: string, Reader: ReaderClass, options: { waiters: number; waves: number; entries: number }): Promise<{ cpuUsPerEntry: number; wallMs: number }> {
  const connection = resolveConnection({ url });
  const admin = connection.command as Redis;
  const reader = new Reader({
    connect: (name) => connection.dedicated(name),
    unblock: async (id) => Number(await admin.call('CLIENT', 'UNBLOCK', id)),
    clientIdByName: async () => undefined,
    groupOf: () => 0,
    clock: systemClock,
    logger: quiet,
    maxBlockMs: 5_000,
    multiGroupPollMs: 20,
  });
  const writer = new Redis(url);
  const run = `rc:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 6)}`;
  const topics = Array.from({ length: options.waiters }, (_, i) => `${run}:t${i}`);
  const target = options.waves * options.entries;
  let dispatched = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let pendingWave = 0;
  let waveDone!: () => void;
  const follow = async (topic: string): Promise<void> => {
    let cursor = '0-0';
    let got = 0;
    while (got < target) {
      const result = await reader.read([{ topic, afterId: cursor }], 100, 5_000);
      for (const { entries } of result) {
        got += entries.length;
        dispatched += entries.length;
        cursor = entries[entries.length - 1]!.id;
      }
      if (got % options.entries === 0 && result.length > 0 && --pendingWave === 0) waveDone();
    }
  };
  const payload = '{"type":"delta","index":0,"delta":{"type":"text","text_delta":"x;"}}';
  const cpu = process.cpuUsage();
  const started = performance.now();
  const followers = Promise.all(topics.map(follow)).then(() => done());
  for (let w = 0; w < options.waves; w++) {
    pendingWave = options.waiters;
    const wave = new Promise<void>((resolve) => (waveDone = resolve));
    const pipeline = writer.pipeline();
    for (const t of topics) for (let e = 0; e < options.entries; e++) pipeline.xadd(t, '*', 'data', payload);
    await pipeline.exec();
    await wave;
  }
  await finished;
  await followers;
  const d = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  reader.close();
  writer.disconnect();
  await connection.command.quit();
  return { cpuUsPerEntry: (d.user + d.system) / Math.max(1, dispatched), wallMs };
}

await runAsScript(import.meta.url, async (url) => {
  const env = process.env;
  const options = { waiters: Number(env['BENCH_WAITERS'] ?? 1000), waves: Number(env['BENCH_WAVES'] ?? 200), entries: Number(env['BENCH_ENTRIES'] ?? 1) };
  const variants: { name: string; Reader: ReaderClass }[] = [{ name: 'this tree', Reader: MultiplexedReader }];
  const baseline = env['BENCH_BASELINE_SRC'];
  if (baseline !== undefined) {
    const mod = (await import(`${baseline}/adapters/ioredis/multiplexed-reader.ts`)) as { MultiplexedReader: ReaderClass };
    variants.unshift({ name: 'baseline', Reader: mod.MultiplexedReader });
  }
  await runOnce(url, MultiplexedReader, { ...options, waves: 10 });
  for (let round = 0; round < Number(env['BENCH_ROUNDS'] ?? 3); round++) {
    // Alternate which variant goes first, so neither always runs on a warmer process.
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    const results = new Map<string, { cpuUsPerEntry: number; wallMs: number }>();
    for (const v of order) results.set(v.name, await runOnce(url, v.Reader, options));
    const first = results.get(variants[0]!.name)!.cpuUsPerEntry;
    const line = variants.map((v) => {
      const r = results.get(v.name)!;
      return `${v.name} ${fmt(r.cpuUsPerEntry, 2)} µs CPU/entry (${fmt(r.cpuUsPerEntry / first, 2)}x), ${fmt(r.wallMs, 0)} ms wall`;
    });
    console.log(`round ${round + 1}${order === variants ? '' : ' (reversed order)'}: ${line.join('; ')}`);
  }
});
