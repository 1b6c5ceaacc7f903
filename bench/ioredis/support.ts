import type { Redis } from 'ioredis';

/** Per-command call counts from `INFO commandstats`. */
export async function commandStats(admin: Redis): Promise<Map<string, number>> {
  const info = await admin.info('commandstats');
  const out = new Map<string, number>();
  for (const match of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) out.set(match[1]!, Number(match[2]));
  return out;
}

/** Calls per command between two snapshots, without the admin's own INFO/CLIENT calls. */
export function statsDiff(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, calls] of after) {
    if (name === 'info' || name === 'client|list' || name === 'scan' || name === 'dbsize' || name === 'flushdb') continue;
    const d = calls - (before.get(name) ?? 0);
    if (d > 0) out.set(name, d);
  }
  return out;
}

export function sumCalls(diff: Map<string, number>, names?: readonly string[]): number {
  let total = 0;
  for (const [name, calls] of diff) if (names === undefined || names.includes(name)) total += calls;
  return total;
}

/** Connected clients other than the admin connection itself. */
export async function clientCount(admin: Redis): Promise<number> {
  const list = String(await admin.client('LIST'));
  return list.split('\n').filter((l) => l.trim() !== '').length - 1;
}

/** Connected clients (other than the admin connection) counted once `ms` have passed. */
export async function clientCountAfter(admin: Redis, ms: number): Promise<number> {
  await sleep(ms);
  return clientCount(admin);
}

/**
 * When the calling module is the script node was started with (`moduleUrl` is its
 * `import.meta.url`): runs `main` against a fresh redis-server, then stops the server.
 */
export async function runAsScript(moduleUrl: string, main: (url: string) => Promise<void>): Promise<void> {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  const { startRedis } = await import('../../test/helpers/redis-server.js');
  const server = await startRedis();
  try {
    await main(server.url);
  } finally {
    await server.stop();
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A sleep that does not keep the process alive (for timeouts raced against work). */
export const sleepUnref = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** A token-like text piece (about 4 characters, like an LLM token). */
export function token(i: number): string {
  const words = [' the', ' str', 'eam', ' of', ' tok', 'ens', ' and', ' del', 'tas'];
  return words[i % words.length]!;
}

/**
 * Commands taskstream runs inside its append script (never sent by the client on the append
 * path; `pttl` is the freshness check of the TTL renewal, also sent by the rare `info()`).
 */
export const SCRIPT_INNER = ['xadd', 'hget', 'hmget', 'hset', 'exists', 'expire', 'pttl'];

/** Commands the client sent: everything, minus `inner` (those counted by Redis inside scripts). */
export function clientSent(diff: Map<string, number>, inner: readonly string[]): number {
  let total = 0;
  for (const [name, calls] of diff) if (!inner.includes(name)) total += calls;
  return total;
}
