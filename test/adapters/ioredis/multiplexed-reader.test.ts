import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';

let server: TestRedis;
let repo: IoredisRepository;
let admin: Redis;

beforeAll(async () => {
  server = await startRedis();
  // A long server-side block: a missing interrupt would show up as a multi-second stall.
  repo = createIoredisRepository({ url: server.url, maxBlockMs: 20_000 });
  admin = new Redis(server.url);
});

afterAll(async () => {
  await repo?.close();
  admin?.disconnect();
  await server?.stop();
});

async function calls(command: string): Promise<number> {
  const match = new RegExp(`cmdstat_${command.replace('|', '\\|')}:calls=(\\d+)`).exec(await admin.info('commandstats'));
  return match ? Number(match[1]) : 0;
}

function readerClients(list: string): string[] {
  return list.split('\n').filter((line) => line.includes('name=taskstream-reader'));
}

const append = (topic: string, v: string) => repo.append({ topic, entries: [{ v }], maxLen: 0, ttlSeconds: 60 });

describe('multiplexed reader', () => {
  it('serves 200 concurrent blocking reads over ONE dedicated connection, each gets its own topic', async () => {
    const prefix = uniquePrefix();
    const topics = Array.from({ length: 200 }, (_, i) => `${prefix}task:${i}`);
    const reads = topics.map((topic) => repo.read(topic, '0-0', { blockMs: 15_000 }));
    // the reader connection opens with the first read; on a loaded machine its handshake takes a while
    let list = '';
    for (let i = 0; i < 100 && !/flags=b/.test(readerClients(list)[0] ?? ''); i++) {
      await new Promise((r) => setTimeout(r, 50));
      list = String(await admin.client('LIST'));
    }
    expect(readerClients(list)).toHaveLength(1);
    expect(readerClients(list)[0], readerClients(list)[0]).toMatch(/flags=b/);
    const started = Date.now();
    await Promise.all(topics.map((topic, i) => append(topic, `v${i}`)));
    const results = await Promise.all(reads);
    expect(Date.now() - started).toBeLessThan(5_000);
    results.forEach((entries, i) => expect(entries.map((e) => e.fields['v'])).toEqual([`v${i}`]));
    expect(repo.readerConnections).toBe(1);
  });

  it('a read on a new topic interrupts the in-flight XREAD (CLIENT UNBLOCK) instead of waiting for its timeout', async () => {
    const prefix = uniquePrefix();
    const first = repo.read(`${prefix}task:first`, '0-0', { blockMs: 15_000 });
    await new Promise((r) => setTimeout(r, 50));
    const unblocksBefore = await calls('client|unblock');
    const second = repo.read(`${prefix}task:second`, '0-0', { blockMs: 15_000 });
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await append(`${prefix}task:second`, 'x');
    expect((await second).map((e) => e.fields['v'])).toEqual(['x']);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await calls('client|unblock')).toBeGreaterThan(unblocksBefore);
    await append(`${prefix}task:first`, 'y');
    expect((await first).map((e) => e.fields['v'])).toEqual(['y']);
  });

  it('returns entries strictly after each cursor; an entry appended between two reads is never lost', async () => {
    const topic = `${uniquePrefix()}task:gap`;
    const { ids } = await repo.append({ topic, entries: [{ v: 'a' }, { v: 'b' }], maxLen: 0, ttlSeconds: 60 });
    expect((await repo.read(topic, ids[0]!, { blockMs: 1_000 })).map((e) => e.fields['v'])).toEqual(['b']);
    // an empty blocking read times out...
    expect(await repo.read(topic, ids[1]!, { blockMs: 60 })).toEqual([]);
    // ...an entry lands in between...
    await append(topic, 'c');
    // ...and the next read after the same cursor gets it (no `$`).
    expect((await repo.read(topic, ids[1]!, { blockMs: 1_000 })).map((e) => e.fields['v'])).toEqual(['c']);
  });

  it('a reader joining behind the in-flight round never gets that round\'s entries past its own cursor', async () => {
    for (let i = 0; i < 40; i++) {
      const topic = `${uniquePrefix()}task:behind${i}`;
      const { ids } = await repo.append({ topic, entries: [{ v: 'old1' }, { v: 'old2' }], maxLen: 0, ttlSeconds: 60 });
      const ahead = repo.read(topic, ids[1]!, { blockMs: 5_000 });
      await new Promise((r) => setTimeout(r, 5));
      // registers with an older cursor while the round for `ahead` is blocked; the append races the interrupt
      const behind = repo.read(topic, '0-0', { blockMs: 5_000 });
      await append(topic, 'new');
      expect((await ahead).map((e) => e.fields['v'])).toEqual(['new']);
      const got = (await behind).map((e) => e.fields['v']);
      expect(got.slice(0, 2), `iteration ${i}`).toEqual(['old1', 'old2']);
    }
  });

  it('bounds what one read hands over by its count; the rest comes with the next read from its last id', async () => {
    const topic = `${uniquePrefix()}task:count`;
    await repo.append({ topic, entries: Array.from({ length: 10 }, (_, i) => ({ v: String(i) })), maxLen: 0, ttlSeconds: 60 });
    const firstBatch = await repo.read(topic, '0-0', { blockMs: 1_000, count: 3 });
    expect(firstBatch.map((e) => e.fields['v'])).toEqual(['0', '1', '2']);
    const rest = await repo.read(topic, firstBatch[2]!.id, { blockMs: 1_000, count: 100 });
    expect(rest.map((e) => e.fields['v'])).toEqual(['3', '4', '5', '6', '7', '8', '9']);
  });

  it('a slow reader (one that never reads again) does not hold back the others', async () => {
    const prefix = uniquePrefix();
    const slow = `${prefix}task:slow`;
    const fast = `${prefix}task:fast`;
    void repo.read(slow, '0-0', { blockMs: 5_000, count: 1 });
    await repo.append({ topic: slow, entries: Array.from({ length: 50 }, (_, i) => ({ v: String(i) })), maxLen: 0, ttlSeconds: 60 });
    let cursor = '0-0';
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      const pending = repo.read(fast, cursor, { blockMs: 5_000 });
      await append(fast, String(i));
      const got = await pending;
      seen.push(...got.map((e) => e.fields['v']!));
      cursor = got[got.length - 1]!.id;
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
  });

  it('a blocking read Redis refuses (the key is not a stream) rejects with BACKEND_COMMAND instead of retrying forever', async () => {
    const topic = `${uniquePrefix()}task:string`;
    await admin.set(topic, 'not a stream');
    const started = Date.now();
    await expect(repo.read(topic, '0-0', { blockMs: 10_000 })).rejects.toMatchObject({ code: 'BACKEND_COMMAND' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('an aborted read resolves promptly with nothing', async () => {
    const controller = new AbortController();
    const pending = repo.read(`${uniquePrefix()}task:abort`, '0-0', { blockMs: 15_000, signal: controller.signal });
    const started = Date.now();
    setTimeout(() => controller.abort(), 30);
    expect(await pending).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });


  it('a signal passed to many reads carries one abort listener, and its abort still ends the read pending then', async () => {
    // in Node since 15.2; missing from the installed @types/node
    const { getEventListeners } = (await import('node:events')) as unknown as { getEventListeners(target: EventTarget, type: string): unknown[] };
    const topic = `${uniquePrefix()}task:one-listener`;
    const controller = new AbortController();
    const other = new AbortController();
    let cursor = '0-0';
    for (let i = 0; i < 20; i++) {
      const pending = repo.read(topic, cursor, { blockMs: 15_000, signal: controller.signal });
      // a read of the same topic with another signal, left pending: only its own abort ends it
      const bystander = i === 0 ? repo.read(topic, '0-0', { blockMs: 15_000, signal: other.signal }) : undefined;
      await append(topic, `v${i}`);
      const entries = await pending;
      expect(entries.map((e) => e.fields['v'])).toEqual([`v${i}`]);
      cursor = entries[0]!.id;
      expect((await bystander)?.map((e) => e.fields['v']) ?? [`v${i}`]).toEqual([`v${i}`]);
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const last = repo.read(topic, cursor, { blockMs: 15_000, signal: controller.signal });
    const unrelated = repo.read(topic, cursor, { blockMs: 15_000, signal: other.signal });
    const started = Date.now();
    setTimeout(() => controller.abort(), 30);
    expect(await last).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
    // the other signal's read is still pending: an entry ends it
    await append(topic, 'after');
    expect((await unrelated).map((e) => e.fields['v'])).toEqual(['after']);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
  it('a readMany waits on all its topics and returns the one that gets an entry', async () => {
    const prefix = uniquePrefix();
    const cursors = [0, 1, 2].map((i) => ({ topic: `${prefix}task:${i}`, afterId: '0-0' }));
    const pending = repo.readMany(cursors, { blockMs: 5_000 });
    await new Promise((r) => setTimeout(r, 30));
    await append(`${prefix}task:2`, 'z');
    const result = await pending;
    expect(result.map((r) => [r.topic, r.entries.map((e) => e.fields['v'])])).toEqual([[`${prefix}task:2`, ['z']]]);
  });

  it('after the reader connection is killed, blocking reads reconnect and resume from their cursors', async () => {
    const topic = `${uniquePrefix()}task:reconnect`;
    const { ids } = await repo.append({ topic, entries: [{ v: 'before' }], maxLen: 0, ttlSeconds: 60 });
    const pending = repo.read(topic, ids[0]!, { blockMs: 10_000 });
    await new Promise((r) => setTimeout(r, 50));
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes').catch(() => undefined);
    await append(topic, 'after');
    expect((await pending).map((e) => e.fields['v'])).toEqual(['after']);
  });

  it('holds no timer once its reads are served or timed out (clock injected: waiter timeouts run on it)', async () => {
    const clock = new FakeClock(Date.now());
    const local = createIoredisRepository({ url: server.url, clock });
    const topic = `${uniquePrefix()}task:timers`;
    const served = local.read(topic, '0-0', { blockMs: 60_000 });
    const timedOut = local.read(`${topic}:other`, '0-0', { blockMs: 1_000 });
    // One timer for the reader, due at the earliest deadline, not one per waiter.
    expect(clock.pendingCount).toBe(1);
    await local.append({ topic, entries: [{ v: 'x' }], maxLen: 0, ttlSeconds: 60 });
    expect((await served).map((e) => e.fields['v'])).toEqual(['x']);
    expect(clock.pendingCount).toBe(1);
    await clock.advance(1_000);
    expect(await timedOut).toEqual([]);
    expect(clock.pendingCount).toBe(0);
    await local.close();
  });

  it('times out each waiter at its own deadline, whatever order they came in (one shared timer)', async () => {
    const clock = new FakeClock(Date.now());
    const local = createIoredisRepository({ url: server.url, clock });
    const topic = `${uniquePrefix()}task:deadlines`;
    const outcome = (p: Promise<unknown>) => {
      const state = { done: false, value: undefined as unknown };
      void p.then((v) => Object.assign(state, { done: true, value: v }));
      return state;
    };
    const late = outcome(local.read(`${topic}:a`, '0-0', { blockMs: 3_000 }));
    const early = outcome(local.read(`${topic}:b`, '0-0', { blockMs: 1_000 }));
    const middle = outcome(local.read(`${topic}:c`, '0-0', { blockMs: 2_000 }));
    await clock.advance(999);
    expect([late.done, early.done, middle.done]).toEqual([false, false, false]);
    await clock.advance(1);
    expect([late.done, early.done, middle.done]).toEqual([false, true, false]);
    expect(early.value).toEqual([]);
    await clock.advance(999);
    expect(middle.done).toBe(false);
    await clock.advance(1);
    expect([late.done, middle.done]).toEqual([false, true]);
    await clock.advance(1_000);
    expect([late.done, late.value]).toEqual([true, []]);
    expect(clock.pendingCount).toBe(0);
    await local.close();
  });

  it('a waiter times out after its blockMs of timer time even if the clock\'s now() steps back meanwhile', async () => {
    // Timers run on the fake clock's own time; only what now() reports steps back (a wall clock may).
    class SteppingClock extends FakeClock {
      offset = 0;
      override now(): number {
        return super.now() + this.offset;
      }
    }
    const clock = new SteppingClock(Date.now());
    const local = createIoredisRepository({ url: server.url, clock });
    let done = false;
    const read = local.read(`${uniquePrefix()}task:step-back`, '0-0', { blockMs: 1_000 }).then((r) => {
      done = true;
      return r;
    });
    clock.offset = -60_000;
    await clock.advance(1_000);
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(true);
    expect(await read).toEqual([]);
    expect(clock.pendingCount).toBe(0);
    await local.close();
  });

  it('a topic whose reader went away, then got a foreign entry with a far-future id, does not make the reader spin', async () => {
    const prefix = uniquePrefix();
    const [gone, live] = [`${prefix}task:gone`, `${prefix}task:live`];
    await append(gone, 'zero');
    const [zero] = await repo.read(gone, '0-0', { count: 1 });
    // one round holds both topics (`gone` after a real id); then `gone`'s reader is served and does
    // not come back, while `live` keeps its read pending: the next rounds hold `gone` as an idle slot
    const pending = repo.read(live, '0-0', { blockMs: 15_000 });
    const served = repo.read(gone, zero!.id, { blockMs: 15_000 });
    await new Promise((r) => setTimeout(r, 50));
    await append(gone, 'first');
    const [first] = await served;
    await new Promise((r) => setTimeout(r, 50));
    // an id past the all-nines one the request may hold for `gone`'s idle slot
    await admin.xadd(gone, `9999999999999-${'9'.repeat(first!.id.split('-')[1]!.length)}0`, 'v', 'foreign');
    await new Promise((r) => setTimeout(r, 50));
    const before = await calls('xread');
    await new Promise((r) => setTimeout(r, 300));
    expect(await calls('xread')).toBeLessThan(before + 10);
    await append(live, 'live');
    expect((await pending).map((e) => e.fields['v'])).toEqual(['live']);
  });

  it('issues no XREAD while nobody waits (idle costs nothing)', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const before = await calls('xread');
    await new Promise((r) => setTimeout(r, 300));
    expect(await calls('xread')).toBe(before);
  });
});
