import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisMemoryServer } from 'redis-memory-server';

/** Debian's redis-server; redis-memory-server is told to use it and never downloads. */
export const REDIS_SERVER_BINARY = '/usr/bin/redis-server';

/** A running single redis-server for a test file. */
export interface TestRedis {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real redis-server (via redis-memory-server on the system binary) on a free loopback
 * port. `args` are extra server arguments (for example `['--requirepass', pw]`).
 */
export async function startRedis(options: { args?: readonly string[] } = {}): Promise<TestRedis> {
  const server = await RedisMemoryServer.create({
    binary: { systemBinary: REDIS_SERVER_BINARY },
    instance: { ip: '127.0.0.1', args: ['--save', '', '--appendonly', 'no', ...(options.args ?? [])] },
  });
  const host = await server.getHost();
  const port = await server.getPort();
  return {
    host,
    port,
    url: `redis://${host}:${port}`,
    stop: async () => {
      await server.stop();
    },
  };
}

/** A unique key prefix so tests sharing one server never see each other's topics. */
export function uniquePrefix(label = 't'): string {
  return `${label}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
}

/** A free loopback TCP port (bound then released; good enough for tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A local Redis Cluster of three masters (no replicas) on loopback. */
export interface TestCluster {
  readonly nodes: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts three `redis-server --cluster-enabled yes` processes, splits the 16384 slots between
 * them with CLUSTER ADDSLOTSRANGE, joins them with CLUSTER MEET, and waits for `cluster_state:ok`.
 */
export async function startCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'taskstream-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const procs: ChildProcess[] = ports.map((port) =>
    spawn(
      REDIS_SERVER_BINARY,
      [
        '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
        '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir,
        '--save', '', '--appendonly', 'no', '--cluster-node-timeout', '5000',
      ],
      { stdio: 'ignore' },
    ),
  );
  const clients = ports.map((port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 }));
  // Refused connections while the servers start are expected; waitFor retries.
  for (const c of clients) c.on('error', () => undefined);
  const stop = async (): Promise<void> => {
    for (const c of clients) c.disconnect();
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const c of clients) await waitFor(async () => (await c.ping()) === 'PONG', 10_000, 'cluster node');
    const per = Math.ceil(16384 / 3);
    for (let i = 0; i < 3; i++) {
      const from = i * per;
      const to = Math.min(16383, (i + 1) * per - 1);
      await clients[i]!.call('CLUSTER', 'ADDSLOTSRANGE', from, to);
    }
    for (let i = 1; i < 3; i++) await clients[i]!.call('CLUSTER', 'MEET', '127.0.0.1', ports[0]!);
    await waitFor(
      async () => {
        for (const c of clients) {
          const info = String(await c.call('CLUSTER', 'INFO'));
          if (!info.includes('cluster_state:ok') || !info.includes('cluster_known_nodes:3')) return false;
        }
        return true;
      },
      20_000,
      'cluster_state:ok',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
}
