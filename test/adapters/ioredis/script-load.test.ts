import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createIoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { MAX_APPENDS_PER_CALL } from '../../../src/adapters/ioredis/append-batcher.js';
import { freePort, REDIS_SERVER_BINARY, startCluster, uniquePrefix, type TestCluster } from '../../helpers/redis-server.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A redis-server we can stop and start again on the same port (its script cache then starts empty). */
function redisOnPort(port: number): { stop(): Promise<void> } {
  const child: ChildProcess = spawn(REDIS_SERVER_BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function untilUp(port: number): Promise<void> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; i < 200; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error(`redis on ${port} did not start`);
}

/** `errorstat_NOSCRIPT` and the eval/evalsha calls of one server since it started. */
async function scriptStats(port: number): Promise<{ noscript: number; eval: number; evalsha: number }> {
  const admin = new Redis({ port, host: '127.0.0.1' });
  try {
    const errors = await admin.info('errorstats');
    const commands = await admin.info('commandstats');
    const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(commands)?.[1] ?? 0);
    return { noscript: Number(/errorstat_NOSCRIPT:count=(\d+)/.exec(errors)?.[1] ?? 0), eval: calls('eval'), evalsha: calls('evalsha') };
  } finally {
    admin.disconnect();
  }
}

function burst(topics: readonly string[]) {
  return topics.map((topic, i) => ({ topic, entries: [{ n: String(i) }], maxLen: 100, ttlSeconds: 60, idempotency: { producerId: 'p', seqs: [i] } }));
}

// 300 appends in one tick: 5 multi-append calls of up to 64 appends when batched, 300 calls when not
describe.each([
  { batchAppends: true, calls: Math.ceil(300 / MAX_APPENDS_PER_CALL) },
  { batchAppends: false, calls: 300 },
])('ioredis (batchAppends $batchAppends): the append script is loaded once per connection, before its first append', ({ batchAppends, calls }) => {
  let port: number;
  let server: { stop(): Promise<void> };

  beforeAll(async () => {
    port = await freePort();
    server = redisOnPort(port);
    await untilUp(port);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a burst of 300 appends at start-up, then again after the server restarts: no NOSCRIPT, one EVAL per connection', { timeout: 30_000 }, async () => {
    const repo = createIoredisRepository({ url: `redis://127.0.0.1:${port}`, logger: quiet, batchAppends, redisOptions: { retryStrategy: () => 20, maxRetriesPerRequest: 50 } });
    const topics = Array.from({ length: 300 }, (_, i) => `${uniquePrefix()}task:${i}`);
    const first = await Promise.all(burst(topics).map((r) => repo.append(r)));
    expect(first.every((r) => r.ids.length === 1)).toBe(true);
    expect(await scriptStats(port)).toEqual({ noscript: 0, eval: 1, evalsha: calls - 1 });

    await server.stop();
    server = redisOnPort(port);
    await untilUp(port);
    // the restarted server knows no script; the repository's connection is a new socket
    const again = await Promise.all(burst(topics).map((r) => repo.append(r)));
    expect(again.every((r) => r.ids.length === 1)).toBe(true);
    expect(await scriptStats(port)).toEqual({ noscript: 0, eval: 1, evalsha: calls - 1 });
    await repo.close();
  });

  it('a reconnect to the same server (connection killed) loads it once more on the new socket, no NOSCRIPT', async () => {
    const repo = createIoredisRepository({ url: `redis://127.0.0.1:${port}`, logger: quiet, batchAppends, redisOptions: { retryStrategy: () => 20 } });
    await repo.append(burst([`${uniquePrefix()}task:x`])[0]!);
    const before = await scriptStats(port);
    const admin = new Redis({ port, host: '127.0.0.1' });
    await admin.call('SCRIPT', 'FLUSH');
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    admin.disconnect();
    const results = await Promise.all(burst(Array.from({ length: 50 }, (_, i) => `${uniquePrefix()}task:${i}`)).map((r) => repo.append(r)));
    expect(results.every((r) => r.ids.length === 1)).toBe(true);
    const after = await scriptStats(port);
    expect(after.noscript - before.noscript).toBe(0);
    expect(after.eval - before.eval).toBe(1);
    await repo.close();
  });
});

describe('ioredis on a local Redis Cluster: the script is loaded on every node before its first append there', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a burst over topics on all masters: no NOSCRIPT on any node, one EVAL per node', { timeout: 30_000 }, async () => {
    const repo = createIoredisRepository({ cluster: { nodes: cluster.nodes }, logger: quiet });
    const topics = Array.from({ length: 300 }, (_, i) => `${uniquePrefix()}task:${i}`);
    const results = await Promise.all(burst(topics).map((r) => repo.append(r)));
    expect(results.every((r) => r.ids.length === 1)).toBe(true);
    const stats = await Promise.all(cluster.nodes.map((n) => scriptStats(n.port)));
    for (const s of stats) expect(s).toMatchObject({ noscript: 0, eval: 1 });
    expect(stats.reduce((sum, s) => sum + s.eval + s.evalsha, 0)).toBe(300);
    await repo.close();
  });
});
