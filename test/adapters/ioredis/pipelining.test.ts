import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis, type Cluster } from 'ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { startCluster, startRedis, uniquePrefix, type TestCluster, type TestRedis } from '../../helpers/redis-server.js';

/**
 * Counts the writes that reach a connection's socket: each `_write` or `_writev` of the stream
 * (a run of `write()` calls while the socket is corked reaches it as one `_writev`).
 * Instrumentation only: Redis is real.
 */
function countWrites(connection: Redis): { readonly count: number; restore(): void } {
  const stream = connection.stream as unknown as Record<'_write' | '_writev', ((...args: unknown[]) => unknown) | undefined>;
  const originals = { _write: stream._write, _writev: stream._writev };
  let count = 0;
  for (const name of ['_write', '_writev'] as const) {
    const original = originals[name];
    if (original === undefined) continue;
    stream[name] = function (this: unknown, ...args: unknown[]) {
      count++;
      return original.apply(this, args);
    };
  }
  return {
    get count() {
      return count;
    },
    restore: () => {
      stream._write = originals._write;
      stream._writev = originals._writev;
    },
  };
}

function appends(n: number) {
  const prefix = uniquePrefix();
  return Array.from({ length: n }, (_, i) => ({
    topic: `${prefix}task:${i}`,
    entries: [{ data: `d${i}`, seq: '0', ts_v: '1' }],
    maxLen: 1000,
    ttlSeconds: 60,
    idempotency: { producerId: 'p', seqs: [0] },
  }));
}

describe('ioredis: appends of many topics issued in one tick leave in one socket write', () => {
  let server: TestRedis;
  let repo: IoredisRepository;
  beforeAll(async () => {
    server = await startRedis();
    repo = createIoredisRepository({ url: server.url });
    await repo.tailId('warm-up');
  });
  afterAll(async () => {
    await repo?.close();
    await server?.stop();
  });

  it('200 appends to 200 topics in one tick: one write on the command connection, every append lands', async () => {
    const writes = countWrites(repo.client as Redis);
    const results = await Promise.all(appends(200).map((r) => repo.append(r)));
    writes.restore();
    expect(results.every((r) => r.ids.length === 1 && r.duplicates === 0)).toBe(true);
    expect(writes.count).toBe(1);
  });
});

describe('ioredis: a client passed in', () => {
  let server: TestRedis;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('with enableAutoPipelining: one write per tick too; the script loads with the first append; the client stays open', async () => {
    const client = new Redis(server.url, { enableAutoPipelining: true });
    const repo = createIoredisRepository({ client });
    await client.ping();
    const writes = countWrites(client);
    const results = await Promise.all(appends(100).map((r) => repo.append(r)));
    writes.restore();
    expect(results.every((r) => r.ids.length === 1)).toBe(true);
    expect(writes.count).toBe(1);
    const errors = await client.info('errorstats');
    expect(errors).not.toMatch(/NOSCRIPT/);
    await repo.close();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });
});

describe('ioredis on a local Redis Cluster: one write per node per tick', () => {
  let cluster: TestCluster;
  let repo: IoredisRepository;
  beforeAll(async () => {
    cluster = await startCluster();
    repo = createIoredisRepository({ cluster: { nodes: cluster.nodes } });
    await repo.append(appends(30)[0]!);
    for (const r of appends(30)) await repo.append(r); // every node's socket is open and has the script
  }, 60_000);
  afterAll(async () => {
    await repo?.close();
    await cluster?.stop();
  });

  it('300 appends spread over three masters in one tick: at most one write per master, every append lands', async () => {
    const nodes = (repo.client as Cluster).nodes('master');
    expect(nodes).toHaveLength(3);
    const writes = nodes.map(countWrites);
    const results = await Promise.all(appends(300).map((r) => repo.append(r)));
    for (const w of writes) w.restore();
    expect(results.every((r) => r.ids.length === 1)).toBe(true);
    expect(writes.map((w) => w.count)).toEqual([1, 1, 1]);
  });
});
