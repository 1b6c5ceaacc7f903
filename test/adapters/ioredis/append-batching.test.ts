import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { AppendBatcher, MAX_APPENDS_PER_CALL, type AppendFlush } from '../../../src/adapters/ioredis/append-batcher.js';
import { scriptSender } from '../../../src/adapters/ioredis/script-call.js';
import { APPEND_MANY_LUA, APPEND_MANY_SHA } from '../../../src/adapters/shared/append-many-script.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { AppendRequest } from '../../../src/ports/stream-repository.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';
import { rejection } from '../../helpers/caught.js';

let server: TestRedis;
let repo: IoredisRepository;
let admin: Redis;
beforeAll(async () => {
  server = await startRedis();
  repo = createIoredisRepository({ url: server.url });
  admin = new Redis(server.url);
});
afterAll(async () => {
  await repo?.close();
  admin?.disconnect();
  await server?.stop();
});

/** Script calls (EVAL + EVALSHA) the server ran so far. */
async function scriptCalls(): Promise<number> {
  const stats = await admin.info('commandstats');
  const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  return calls('eval') + calls('evalsha');
}

function one(topic: string, seq: number, extra: Partial<AppendRequest> = {}): AppendRequest {
  return { topic, entries: [{ n: String(seq) }], maxLen: 1000, ttlSeconds: 60, idempotency: { producerId: 'p', seqs: [seq] }, ...extra };
}

async function values(topic: string): Promise<string[]> {
  return (await admin.xrange(topic, '-', '+')).map(([, fields]) => fields[1]!);
}

describe('ioredis: appends issued in one tick share script calls', () => {
  it('200 appends to 200 topics in one tick: ceil(200 / 64) script calls; one per append with batchAppends false', async () => {
    const single = createIoredisRepository({ url: server.url, batchAppends: false });
    for (const [target, expected] of [[repo, Math.ceil(200 / MAX_APPENDS_PER_CALL)], [single, 200]] as const) {
      await target.tailId('warm-up');
      const p = uniquePrefix();
      const before = await scriptCalls();
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => target.append(one(`${p}${i}`, 1))));
      expect(await scriptCalls()).toBe(before + expected);
      expect(results.every((r) => r.ids.length === 1 && r.duplicates === 0)).toBe(true);
      expect(await values(`${p}199`)).toEqual(['1']);
    }
    await single.close();
  });

  it('adaptive flush: with no call in flight an append is sent before the turn ends; while one is in flight, at the end of the turn', async () => {
    const p = uniquePrefix();
    const log: string[] = [];
    const send = scriptSender(admin, APPEND_MANY_LUA, APPEND_MANY_SHA);
    const batcher = (flush: AppendFlush) =>
      new AppendBatcher(
        (keys, args) => {
          log.push(`send ${keys.length / 2}`);
          return send(keys, args);
        },
        { maxAppends: MAX_APPENDS_PER_CALL, flush, mapError: (err) => err, onTtlFailed: () => undefined },
      );
    const adaptive = batcher('adaptive');
    setImmediate(() => log.push('end of turn'));
    const first = adaptive.append(one(`${p}a`, 1), `${p}producers:a`);
    await Promise.resolve();
    await Promise.resolve();
    // in flight now: the next appends of this turn wait for its end, and leave together
    const more = [adaptive.append(one(`${p}b`, 1), `${p}producers:b`), adaptive.append(one(`${p}c`, 1), `${p}producers:c`)];
    await Promise.all([first, ...more]);
    expect(log).toEqual(['send 1', 'end of turn', 'send 2']);
    log.length = 0;
    // 'immediate' always waits for the end of the turn
    const immediate = batcher('immediate');
    setImmediate(() => log.push('end of turn'));
    await immediate.append(one(`${p}d`, 1), `${p}producers:d`);
    expect(log).toEqual(['end of turn', 'send 1']);
    expect(await values(`${p}c`)).toEqual(['1']);
  });

  it('while a call is in flight, appends issued in one event-loop turn, at different microtask depths, share one call', async () => {
    const p = uniquePrefix();
    const later = async (i: number, depth: number) => {
      for (let d = 0; d < depth; d++) await Promise.resolve();
      return repo.append(one(`${p}${i}`, 1));
    };
    const before = await scriptCalls();
    const first = repo.append(one(`${p}first`, 1));
    await Promise.resolve(); // the first call leaves now: nothing else was in flight
    await Promise.all([first, later(0, 0), later(1, 3), later(2, 10)]);
    expect(await scriptCalls()).toBe(before + 2);
  });

  it('an append to a key of the wrong type rejects alone (BACKEND_COMMAND, WRONGTYPE); the others of its call are written', async () => {
    const p = uniquePrefix();
    await admin.set(`${p}bad`, 'x');
    const before = await scriptCalls();
    const settled = await Promise.allSettled([repo.append(one(`${p}a`, 1)), repo.append(one(`${p}bad`, 1)), repo.append(one(`${p}c`, 1))]);
    expect(await scriptCalls()).toBe(before + 1);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const err = (settled[1] as PromiseRejectedResult).reason as TaskStreamError;
    expect(err).toBeInstanceOf(TaskStreamError);
    expect(err.code).toBe('BACKEND_COMMAND');
    expect(err.message).toMatch(/WRONGTYPE/);
    expect(await values(`${p}a`)).toEqual(['1']);
    expect(await values(`${p}c`)).toEqual(['1']);
  });

  it('an append refused after its message terminal rejects alone with AFTER_TERMINAL', async () => {
    const t = `${uniquePrefix()}m`;
    await repo.append(one(t, 1, { message: { key: '0', terminal: true } }));
    const settled = await Promise.allSettled([repo.append(one(`${t}x`, 1)), repo.append(one(t, 2, { idempotency: { producerId: 'q', seqs: [2] }, message: { key: '0', terminal: true } }))]);
    expect(settled[0]!.status).toBe('fulfilled');
    expect(((settled[1] as PromiseRejectedResult).reason as TaskStreamError).code).toBe('AFTER_TERMINAL');
    expect(await values(t)).toEqual(['1']);
  });

  it('a retry in the same tick and in a later tick: written once, counted as duplicates', async () => {
    const p = uniquePrefix();
    const batch = (i: number): AppendRequest => ({ topic: `${p}${i}`, entries: [{ n: '1' }, { n: '2' }], maxLen: 0, ttlSeconds: 60, idempotency: { producerId: 'p', seqs: [1, 2] } });
    const first = await Promise.all([0, 1, 2].flatMap((i) => [repo.append(batch(i)), repo.append(batch(i))]));
    expect(first.map((r) => r.duplicates)).toEqual([0, 2, 0, 2, 0, 2]);
    const later = await Promise.all([0, 1, 2].map((i) => repo.append(batch(i))));
    expect(later.map((r) => r.duplicates)).toEqual([2, 2, 2]);
    for (const i of [0, 1, 2]) expect(await values(`${p}${i}`)).toEqual(['1', '2']);
  });

  it('appends to one topic keep their issue order across calls (more than 64, retention changing mid-tick)', async () => {
    const p = uniquePrefix();
    const topics = [0, 1, 2, 3, 4].map((i) => `${p}${i}`);
    const requests = Array.from({ length: 300 }, (_, k) => ({
      topic: topics[k % 5]!,
      entries: [{ n: String(k) }],
      maxLen: k % 7 === 0 ? 0 : 1000,
      ttlSeconds: k % 11 === 0 ? 120 : 60,
    }));
    const results = await Promise.all(requests.map((r) => repo.append(r)));
    for (const [i, topic] of topics.entries()) {
      const issued = requests.flatMap((r, k) => (r.topic === topic ? [String(k)] : []));
      expect(await values(topic)).toEqual(issued);
      const ids = results.filter((_, k) => k % 5 === i).map((r) => r.ids[0]);
      expect(ids).toEqual((await admin.xrange(topic, '-', '+')).map(([id]) => id));
    }
  });

  it('appends of one tick with different retention each get their own (maxLen, ttlSeconds)', async () => {
    const p = uniquePrefix();
    await Promise.all(Array.from({ length: 200 }, (_, k) => repo.append({ topic: `${p}long`, entries: [{ n: String(k) }], maxLen: 0, ttlSeconds: 0 })));
    await Promise.all([
      repo.append(one(`${p}a`, 1, { ttlSeconds: 30 })),
      repo.append(one(`${p}long`, 1, { maxLen: 10, ttlSeconds: 300 })),
      repo.append(one(`${p}c`, 1, { ttlSeconds: 30 })),
    ]);
    expect(await admin.ttl(`${p}a`)).toBeLessThanOrEqual(30);
    expect(await admin.ttl(`${p}c`)).toBeLessThanOrEqual(30);
    expect(await admin.ttl(`${p}long`)).toBeGreaterThan(30);
    expect(await admin.xlen(`${p}long`)).toBeLessThan(201);
  });

  it.each([true, false])('appends issued just before close() are answered before the connection closes (batchAppends %s)', async (batchAppends) => {
    const own = createIoredisRepository({ url: server.url, batchAppends });
    await own.tailId('warm-up');
    const t = `${uniquePrefix()}t`;
    const pending = [own.append(one(t, 1)), own.append(one(t, 2))];
    const closed = own.close();
    expect((await Promise.all(pending)).map((r) => r.ids.length)).toEqual([1, 1]);
    await closed;
    expect(await values(t)).toEqual(['1', '2']);
  });

  it('a call that fails as a whole (connection gone) rejects each of its appends as BACKEND_UNAVAILABLE', async () => {
    const client = new Redis(server.url, { enableOfflineQueue: false, lazyConnect: true });
    const own = createIoredisRepository({ client });
    const p = uniquePrefix();
    const errors = await Promise.all([0, 1, 2].map((i) => rejection(own.append(one(`${p}${i}`, 1)))));
    expect(errors.map((e) => (e as TaskStreamError).code)).toEqual(['BACKEND_UNAVAILABLE', 'BACKEND_UNAVAILABLE', 'BACKEND_UNAVAILABLE']);
    await own.close();
    client.disconnect();
  });
});
