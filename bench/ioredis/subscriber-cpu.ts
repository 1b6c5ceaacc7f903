/**
 * The read side alone, whole: `BENCH_SUBSCRIPTIONS` subscriptions (`createSubscriber` over the
 * ioredis repository, one task each, iterated with `for await`) while every wave appends
 * `BENCH_ENTRIES` delta entries to every task in one raw pipeline (a separate connection) and
 * waits until every subscription got them. Node CPU µs per delivered entry (`process.cpuUsage`,
 * writer included: the same for every variant). With `BENCH_BASELINE_SRC=/path/to/other/src` the
 * read side of that tree runs too, interleaved round by round (which goes first alternates).
 * Run: npx tsx bench/ioredis/subscriber-cpu.ts  (BENCH_SUBSCRIPTIONS 1000, BENCH_WAVES 200, BENCH_ENTRIES 1, BENCH_ROUNDS 3)
 */
import { Redis } from 'ioredis';
import { fmt, runAsScript } from './support.js';

interface Tree {
  readonly name: string;
  readonly src: string;
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export async function runSubscriberCpu(url: string, tree: Tree, options: { subscriptions: number; waves: number; entries: number }): Promise<{ cpuUsPerEntry: number; wallMs: number }> {
  const { createIoredisRepository } = (await import(`${tree.src}/adapters/ioredis/index.ts`)) as typeof import('../../src/adapters/ioredis/index.js');
  const { createSubscriber } = (await import(`${tree.src}/defaults.ts`)) as typeof import('../../src/defaults.js');
  const { agentexCodec } = (await import(`${tree.src}/domain/codec/index.ts`)) as typeof import('../../src/domain/codec/index.js');
  const repository = createIoredisRepository({ url, logger: quiet });
  const keyPrefix = `sc:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 6)}:`;
  const subscriber = createSubscriber({ repository, logger: quiet, settings: { keyPrefix } });
  const writer = new Redis(url);
  const tasks = Array.from({ length: options.subscriptions }, (_, i) => `t${i}`);
  const subscriptions = tasks.map((task) => subscriber.open(task));
  await Promise.all(subscriptions.map((s) => s.ready));
  const target = options.waves * options.entries;
  let delivered = 0;
  let pendingWave = 0;
  let waveDone!: () => void;
  const follow = async (subscription: (typeof subscriptions)[number]): Promise<void> => {
    let got = 0;
    for await (const item of subscription) {
      if (item.event.type !== 'delta') continue;
      delivered++;
      if (++got % options.entries === 0 && --pendingWave === 0) waveDone();
      if (got === target) return;
    }
  };
  const fields = (seq: number) => agentexCodec.encode({ type: 'delta', index: 0, seq, delta: { type: 'text', textDelta: 'x;' } }, 'task');
  const cpu = process.cpuUsage();
  const started = performance.now();
  const followers = Promise.all(subscriptions.map(follow));
  let seq = 0;
  for (let w = 0; w < options.waves; w++) {
    pendingWave = options.subscriptions;
    const wave = new Promise<void>((resolve) => (waveDone = resolve));
    const pipeline = writer.pipeline();
    for (const task of tasks) for (let e = 0; e < options.entries; e++) pipeline.xadd(`${keyPrefix}${task}`, '*', ...Object.entries(fields(seq + e)).flat());
    seq += options.entries;
    await pipeline.exec();
    await wave;
  }
  await followers;
  const d = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  await writer.del(...tasks.map((t) => `${keyPrefix}${t}`));
  writer.disconnect();
  await repository.close();
  return { cpuUsPerEntry: (d.user + d.system) / Math.max(1, delivered), wallMs };
}

await runAsScript(import.meta.url, async (url) => {
  const env = process.env;
  const options = { subscriptions: Number(env['BENCH_SUBSCRIPTIONS'] ?? 1000), waves: Number(env['BENCH_WAVES'] ?? 200), entries: Number(env['BENCH_ENTRIES'] ?? 1) };
  const here = new URL('../../src', import.meta.url).pathname;
  const trees: Tree[] = [{ name: 'this tree', src: here }];
  const baseline = env['BENCH_BASELINE_SRC'];
  if (baseline !== undefined) trees.unshift({ name: 'baseline', src: baseline });
  for (const tree of trees) await runSubscriberCpu(url, tree, { ...options, waves: 10 });
  for (let round = 0; round < Number(env['BENCH_ROUNDS'] ?? 3); round++) {
    const order = round % 2 === 0 ? trees : [...trees].reverse();
    const results = new Map<string, { cpuUsPerEntry: number; wallMs: number }>();
    for (const tree of order) results.set(tree.name, await runSubscriberCpu(url, tree, options));
    const first = results.get(trees[0]!.name)!.cpuUsPerEntry;
    const line = trees.map((t) => {
      const r = results.get(t.name)!;
      return `${t.name} ${fmt(r.cpuUsPerEntry, 2)} µs CPU/entry (${fmt(r.cpuUsPerEntry / first, 2)}x), ${fmt(r.wallMs, 0)} ms wall`;
    });
    console.log(`round ${round + 1}${order === trees ? '' : ' (reversed order)'}: ${line.join('; ')}`);
  }
});
