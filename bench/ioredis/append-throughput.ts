/**
 * Append throughput into one redis-server: the publisher (per_token: every delta its own entry,
 * batched appends; off: one append per delta; coalesced: token-sized deltas merged) against raw
 * pipelined XADD (the ceiling) and the naive per-delta XADD + EXPIRE, on the same workload.
 * Run: npx tsx bench/ioredis/append-throughput.ts
 */
import { Redis } from 'ioredis';
import { createIoredisRepository } from '../../src/adapters/ioredis/index.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { agentexCodec } from '../../src/domain/codec/index.js';
import { createPublisher } from '../../src/defaults.js';
import type { CoalesceMode } from '../../src/domain/config.js';
import { commandStats, runAsScript, statsDiff, sumCalls, token } from './support.js';

export interface ThroughputRow {
  readonly name: string;
  readonly deltas: number;
  readonly seconds: number;
  readonly deltasPerSecond: number;
  /** Commands the client sent per delta (EVALSHA counts once). */
  readonly clientCommandsPerDelta: number;
  /** Commands Redis executed per delta, including those inside the script. */
  readonly serverCommandsPerDelta: number;
  readonly entriesPerDelta: number;
}

const CLIENT_COMMANDS = ['evalsha', 'eval'];

async function measure(admin: Redis, name: string, deltas: number, clientCommands: string[], run: () => Promise<number>): Promise<ThroughputRow> {
  const before = await commandStats(admin);
  const started = performance.now();
  const entries = await run();
  const seconds = (performance.now() - started) / 1000;
  const diff = statsDiff(before, await commandStats(admin));
  // Script-internal commands are counted in commandstats too; a client only sends EVALSHA/EVAL for the publisher.
  const client = sumCalls(diff, clientCommands);
  return {
    name,
    deltas,
    seconds,
    deltasPerSecond: deltas / seconds,
    clientCommandsPerDelta: client / deltas,
    serverCommandsPerDelta: sumCalls(diff) / deltas,
    entriesPerDelta: entries / deltas,
  };
}

export async function runAppendThroughput(url: string, options: { tasks?: number; deltasPerTask?: number } = {}): Promise<ThroughputRow[]> {
  const tasks = options.tasks ?? 20;
  const perTask = options.deltasPerTask ?? 1_000;
  const total = tasks * perTask;
  const admin = new Redis(url);
  const run = `${Date.now().toString(36)}`;
  const fieldsFor = (taskId: string, i: number) =>
    agentexCodec.encode({ type: 'delta', index: 0, seq: i + 1, delta: { type: 'text', textDelta: token(i) } }, taskId);
  const rows: ThroughputRow[] = [];

  const raw = new Redis(url);
  rows.push(
    await measure(admin, 'raw pipelined XADD (ceiling)', total, ['xadd'], async () => {
      for (let t = 0; t < tasks; t++) {
        const pipeline = raw.pipeline();
        for (let i = 0; i < perTask; i++) {
          const fields = fieldsFor(`raw${t}`, i);
          pipeline.xadd(`bench:${run}:raw:${t}`, '*', ...Object.entries(fields).flat());
        }
        await pipeline.exec();
      }
      return total;
    }),
  );

  rows.push(
    await measure(admin, 'naive per-delta XADD + EXPIRE', total, ['xadd', 'expire'], async () => {
      await Promise.all(
        Array.from({ length: tasks }, async (_, t) => {
          const key = `bench:${run}:naive:${t}`;
          for (let i = 0; i < perTask; i++) {
            await raw.xadd(key, '*', ...Object.entries(fieldsFor(`naive${t}`, i)).flat());
            await raw.expire(key, 3600);
          }
        }),
      );
      return total;
    }),
  );

  for (const mode of ['off', 'per_token', 'coalesced'] as CoalesceMode[]) {
    const repo = createIoredisRepository({ url });
    await repo.tailId('warm-up');
    const publisher = createPublisher({
      repository: repo,
      clock: systemClock,
      settings: { keyPrefix: `bench:${run}:${mode}:`, coalesce: mode },
      maxPendingEntries: perTask * 2,
    });
    let entries = 0;
    rows.push(
      await measure(admin, `publisher, coalesce=${mode}`, total, CLIENT_COMMANDS, async () => {
        await Promise.all(
          Array.from({ length: tasks }, async (_, t) => {
            const message = publisher.open(`t${t}`);
            for (let i = 0; i < perTask; i++) {
              message.delta({ type: 'text', textDelta: token(i) });
              // tokens arrive in bursts, not all in one synchronous loop: let flushes run
              if (i % 32 === 31) await new Promise((resolve) => setImmediate(resolve));
            }
            await message.done();
          }),
        );
        for (let t = 0; t < tasks; t++) entries += (await repo.info(`bench:${run}:${mode}:t${t}`))?.length ?? 0;
        // start + deltas' entries + done: count only what carries deltas
        return entries - 2 * tasks;
      }),
    );
    await publisher.close();
    await repo.close();
  }
  raw.disconnect();
  admin.disconnect();
  return rows;
}

await runAsScript(import.meta.url, async (url) => console.table(await runAppendThroughput(url)));
