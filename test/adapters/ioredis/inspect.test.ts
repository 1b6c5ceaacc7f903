import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runInspect, type InspectReport } from '../../../src/cli/inspect.js';
import { startRedis, uniquePrefix, type TestRedis } from '../../helpers/redis-server.js';

let server: TestRedis;
let admin: Redis;

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

function capture(env: Record<string, string | undefined> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { io: { stdout, stderr, env }, output: () => out };
}

async function calls(command: string): Promise<number> {
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await admin.info('commandstats'));
  return match ? Number(match[1]) : 0;
}

describe('taskstream inspect', () => {
  it('counts task streams, their lengths and those without TTL, with SCAN (never KEYS), over many SCAN pages', async () => {
    const prefix = uniquePrefix('insp');
    const pipeline = admin.pipeline();
    for (let i = 0; i < 600; i++) {
      pipeline.xadd(`${prefix}${i}`, '*', 'n', '1');
      if (i % 100 !== 0) pipeline.expire(`${prefix}${i}`, 600);
    }
    for (let i = 0; i < 5; i++) pipeline.xadd(`${prefix}0`, '*', 'n', String(i));
    pipeline.set(`${prefix}not-a-stream`, 'x');
    pipeline.xadd(`other:${prefix}x`, '*', 'n', '1');
    await pipeline.exec();
    const keysBefore = await calls('keys');
    const scansBefore = await calls('scan');
    const { io, output } = capture({ REDIS_URL: server.url });
    const code = await runInspect(['--prefix', prefix, '--json', '--top', '3', '--scan-count', '50'], io);
    expect(code).toBe(0);
    const report = JSON.parse(output()) as InspectReport;
    expect(report).toMatchObject({ streams: 600, totalEntries: 605, maxLength: 6, withoutTtl: 6 });
    expect(report.longest[0]).toMatchObject({ key: `${prefix}0`, length: 6, ttlMs: null });
    expect(report.withoutTtlKeys).toHaveLength(3);
    expect(await calls('keys')).toBe(keysBefore);
    expect((await calls('scan')) - scansBefore).toBeGreaterThan(3);
  });

  it('prints a readable summary and exits 3 with --fail-on-no-ttl when a stream has no TTL', async () => {
    const prefix = uniquePrefix('insp');
    await admin.xadd(`${prefix}leak`, '*', 'n', '1');
    await admin.xadd(`${prefix}ok`, '*', 'n', '1');
    await admin.expire(`${prefix}ok`, 100);
    const { io, output } = capture();
    const code = await runInspect(['--url', server.url, '--prefix', prefix, '--fail-on-no-ttl'], io);
    expect(code).toBe(3);
    expect(output()).toContain(`task streams under "${prefix}": 2`);
    expect(output()).toContain('without TTL: 1');
    expect(output()).toContain(`${prefix}leak`);
  });

  it('uses TASKSTREAM_KEY_PREFIX from the environment and rejects bad options with a typed error', async () => {
    const prefix = uniquePrefix('insp');
    await admin.xadd(`${prefix}a`, '*', 'n', '1');
    const { io, output } = capture({ REDIS_URL: server.url, TASKSTREAM_KEY_PREFIX: prefix });
    expect(await runInspect(['--json'], io)).toBe(0);
    expect((JSON.parse(output()) as InspectReport).streams).toBe(1);
    await expect(runInspect(['--top', '0'], capture().io)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(runInspect(['--bogus'], capture().io)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(runInspect(['--url', 'redis://127.0.0.1:1'], capture().io)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });
});
