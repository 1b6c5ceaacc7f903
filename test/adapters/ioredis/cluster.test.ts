import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { slotOf } from '../../../src/adapters/ioredis/hash-slot.js';
import { producersKeyFor } from '../../../src/adapters/shared/producer-keys.js';
import { startCluster, uniquePrefix, type TestCluster } from '../../helpers/redis-server.js';

let cluster: TestCluster;
let repo: IoredisRepository;

beforeAll(async () => {
  cluster = await startCluster();
  repo = createIoredisRepository({ cluster: { nodes: cluster.nodes } });
});

afterAll(async () => {
  await repo?.close();
  await cluster?.stop();
});

/** Topics spread over all three masters (and several slots on each). */
function spreadTopics(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}task:${i}`);
}

describe('ioredis on a local 3-master Redis Cluster', () => {
  it('slotOf matches CLUSTER KEYSLOT, and the idempotency record shares its topic\'s slot', async () => {
    const client = repo.client as Cluster;
    for (const key of ['task:42', 'task:abc-def', `${uniquePrefix()}task:x`, 'a{tag}b', '{}x', 'é:ü']) {
      expect(slotOf(key), key).toBe(Number(await client.call('CLUSTER', 'KEYSLOT', key)));
      const producers = producersKeyFor(key, 'taskstream:producers:');
      if (!key.includes('}') || key.includes('{tag}')) expect(slotOf(producers), producers).toBe(slotOf(key));
    }
  });

  it('appends idempotently with the Lua script on every node (no CROSSSLOT), reads, tails, infos and deletes', async () => {
    const topics = spreadTopics(uniquePrefix(), 12);
    const nodes = new Set(topics.map((t) => (repo.client as Cluster).slots[slotOf(t)]?.[0]));
    expect(nodes.size).toBeGreaterThan(1);
    for (const topic of topics) {
      const first = await repo.append({ topic, entries: [{ v: '1' }, { v: '2' }], maxLen: 10, ttlSeconds: 30, idempotency: { producerId: 'p', seqs: [0, 1] } });
      const retry = await repo.append({ topic, entries: [{ v: '2' }, { v: '3' }], maxLen: 10, ttlSeconds: 30, idempotency: { producerId: 'p', seqs: [1, 2] } });
      expect(first.ids).toHaveLength(2);
      expect(retry).toMatchObject({ duplicates: 1 });
      expect((await repo.read(topic, '0-0')).map((e) => e.fields['v'])).toEqual(['1', '2', '3']);
      expect(await repo.tailId(topic)).toBe(retry.ids[0]);
      expect((await repo.info(topic))?.length).toBe(3);
    }
    const many = await repo.readMany(topics.map((topic) => ({ topic, afterId: '0-0' })));
    expect(many).toHaveLength(topics.length);
    for (const topic of topics) expect(await repo.deleteTopic(topic)).toBe(true);
  });

  it('blocking reads over topics on all masters: one dedicated connection per master, each reader gets its topic', async () => {
    const topics = spreadTopics(uniquePrefix(), 30);
    const reads = topics.map((topic) => repo.read(topic, '0-0', { blockMs: 10_000 }));
    const many = repo.readMany(topics.map((topic) => ({ topic, afterId: '0-0' })), { blockMs: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await Promise.all(topics.map((topic, i) => repo.append({ topic, entries: [{ v: String(i) }], maxLen: 0, ttlSeconds: 30 })));
    const results = await Promise.all(reads);
    results.forEach((entries, i) => expect(entries.map((e) => e.fields['v'])).toEqual([String(i)]));
    expect((await many).length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(repo.readerConnections).toBe(3);
  });

  it('a blocking read whose slot moves to another master (CLUSTER SETSLOT) is re-routed and gets the entry', async () => {
    const local = createIoredisRepository({ cluster: { nodes: cluster.nodes }, maxBlockMs: 1_000 });
    const client = local.client as Cluster;
    await client.ping();
    const topic = `${uniquePrefix()}task:moving`;
    const slot = slotOf(topic);
    const owner = client.slots[slot]![0]!;
    const direct = cluster.nodes.map((n) => new Redis({ host: n.host, port: n.port }));
    const ids = await Promise.all(direct.map(async (c) => String(await c.call('CLUSTER', 'MYID'))));
    const targetIndex = cluster.nodes.findIndex((n) => `${n.host}:${n.port}` !== owner);
    const pending = local.read(topic, '0-0', { blockMs: 15_000 });
    await new Promise((r) => setTimeout(r, 100));
    const order = [targetIndex, ...[0, 1, 2].filter((i) => i !== targetIndex)];
    for (const i of order) await direct[i]!.call('CLUSTER', 'SETSLOT', slot, 'NODE', ids[targetIndex]!);
    const started = Date.now();
    await local.append({ topic, entries: [{ v: 'moved' }], maxLen: 0, ttlSeconds: 30 });
    expect((await pending).map((e) => e.fields['v'])).toEqual(['moved']);
    expect(Date.now() - started).toBeLessThan(8_000);
    for (const c of direct) c.disconnect();
    await local.close();
  });
});
