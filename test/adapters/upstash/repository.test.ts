import { inspect } from 'node:util';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstashRepository, type UpstashRepository } from '../../../src/adapters/upstash/index.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { LogFields, Logger } from '../../../src/ports/logger.js';
import { startUpstashStack, type UpstashStack } from '../../upstash-server/stack.js';

let stack: UpstashStack;
let repo: UpstashRepository;
let n = 0;
const topic = (): string => `task:upstash-repo-${Date.now().toString(36)}-${n++}`;

beforeAll(async () => {
  stack = await startUpstashStack();
  repo = createUpstashRepository({ url: stack.server.url, token: stack.server.token, readMode: 'poll', pollMinMs: 1, pollMaxMs: 5 });
});
afterAll(async () => {
  await repo?.close();
  await stack?.stop();
});

/** A logger that keeps every line, to check that the token never reaches it. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: LogFields) => void lines.push(`${level} ${message} ${inspect(fields, { depth: 5 })}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

async function rejection(promise: Promise<unknown>): Promise<TaskStreamError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TaskStreamError);
  return err as TaskStreamError;
}

describe('Upstash repository through the local REST server', () => {
  it('appends a batch in one request and reads it back byte for byte (no automatic deserialization)', async () => {
    const t = topic();
    const values = ['true', '1', '12345678901234567890123', '{"a":1}', 'null', 'emoji 👋🏽\nline', '1.0', ''];
    const entries = values.map((v) => ({ data: v, seq: v }));
    // The first append on a fresh server loads the script (EVALSHA → NOSCRIPT → EVAL); after that, one request.
    await repo.append({ topic: topic(), entries: [{ d: 'warm-up' }], maxLen: 0, ttlSeconds: 60 });
    stack.server.resetStats();
    const result = await repo.append({ topic: t, entries, maxLen: 0, ttlSeconds: 60 });
    expect(stack.server.stats.requests).toBe(1);
    expect(stack.server.stats.byCommand.get('EVALSHA')).toBe(1);
    expect(result.ids).toHaveLength(values.length);
    const read = await repo.read(t, '0-0');
    expect(read.map((e) => e.fields)).toEqual(entries);
    expect(read.map((e) => e.id)).toEqual(result.ids);
    expect(await repo.tailId(t)).toBe(result.ids.at(-1));
    const info = await repo.info(t);
    expect(info).toMatchObject({ length: values.length, firstId: result.ids[0], entriesAdded: values.length });
    expect(info!.ttlMs).toBeGreaterThan(50_000);
  });

  it('skips retried entries of an idempotent producer', async () => {
    const t = topic();
    const req = { topic: t, entries: [{ d: 'a' }, { d: 'b' }], maxLen: 0, ttlSeconds: 0, idempotency: { producerId: 'p1', seqs: [0, 1] } };
    const first = await repo.append(req);
    const again = await repo.append(req);
    expect(first).toMatchObject({ duplicates: 0 });
    expect(again).toEqual({ ids: [], duplicates: 2 });
    expect((await repo.info(t))!.ttlMs).toBeNull();
  });

  it('answers missing topics as missing, and deletes topics', async () => {
    const t = topic();
    expect(await repo.tailId(t)).toBe('0-0');
    expect(await repo.info(t)).toBeNull();
    expect(await repo.read(t, '0-0')).toEqual([]);
    await repo.append({ topic: t, entries: [{ d: 'x' }], maxLen: 0, ttlSeconds: 0 });
    expect(await repo.deleteTopic(t)).toBe(true);
    expect(await repo.deleteTopic(t)).toBe(false);
  });

  it('reads many topics, each after its own cursor, in one request', async () => {
    const [a, b, c] = [topic(), topic(), topic()];
    const ra = await repo.append({ topic: a, entries: [{ d: 'a1' }, { d: 'a2' }], maxLen: 0, ttlSeconds: 0 });
    await repo.append({ topic: b, entries: [{ d: 'b1' }], maxLen: 0, ttlSeconds: 0 });
    stack.server.resetStats();
    const [many, again] = await Promise.all([
      repo.readMany([{ topic: a, afterId: ra.ids[0]! }, { topic: b, afterId: '0-0' }, { topic: c, afterId: '0-0' }]),
      repo.read(a, '0-0'),
    ]);
    expect(stack.server.stats.requests).toBe(1);
    expect(many.map((t) => [t.topic, t.entries.map((e) => e.fields['d'])])).toEqual([
      [a, ['a2']],
      [b, ['b1']],
    ]);
    expect(again.map((e) => e.fields['d'])).toEqual(['a1', 'a2']);
  });

  it('maps a bad token to BACKEND_AUTH without ever showing the token', async () => {
    const secret = `sekrit_${Math.random().toString(36).slice(2)}`;
    const logger = recordingLogger();
    const bad = createUpstashRepository({ url: stack.server.url, token: secret, logger });
    const err = await rejection(bad.append({ topic: topic(), entries: [{ d: 'x' }], maxLen: 0, ttlSeconds: 0 }));
    expect(err.code).toBe('BACKEND_AUTH');
    const everything = [inspect(err, { depth: 10 }), JSON.stringify(err), String(err.stack), ...logger.lines].join('\n');
    expect(everything).not.toContain(secret);
    await bad.close();
  });

  it('maps a refused command to BACKEND_COMMAND and an unreachable server to BACKEND_UNAVAILABLE, token-free', async () => {
    const t = topic();
    const raw = new Redis({ url: stack.server.url, token: stack.server.token, automaticDeserialization: false, enableTelemetry: false });
    await raw.set(t, 'not a stream');
    const err = await rejection(repo.append({ topic: t, entries: [{ d: 'x' }], maxLen: 0, ttlSeconds: 0 }));
    expect(err.code).toBe('BACKEND_COMMAND');
    expect(err.message).toMatch(/WRONGTYPE/);

    const secret = `sekrit_${Math.random().toString(36).slice(2)}`;
    const logger = recordingLogger();
    const down = createUpstashRepository({ url: 'http://127.0.0.1:9', token: secret, logger, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const err2 = await rejection(down.tailId(topic()));
    expect(err2.code).toBe('BACKEND_UNAVAILABLE');
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toHaveLength(2);
    expect([inspect(err2, { depth: 10 }), ...logger.lines].join('\n')).not.toContain(secret);
    await down.close();
  });

  it('works through an existing @upstash/redis client, even one with automatic deserialization on', async () => {
    const client = new Redis({ url: stack.server.url, token: stack.server.token, enableTelemetry: false });
    const viaClient = createUpstashRepository({ client, pollMinMs: 1, pollMaxMs: 5 });
    const t = topic();
    await viaClient.append({ topic: t, entries: [{ data: 'true' }, { data: '{"a":1}' }], maxLen: 0, ttlSeconds: 0 });
    expect((await viaClient.read(t, '0-0')).map((e) => e.fields['data'])).toEqual(['true', '{"a":1}']);
    const bad = createUpstashRepository({ client: new Redis({ url: stack.server.url, token: 'nope', enableTelemetry: false, retry: false }) });
    expect((await rejection(bad.tailId(t))).code).toBe('BACKEND_AUTH');
    await viaClient.close();
    await bad.close();
  });

  it('reads its URL and token from the environment, and names a missing variable', async () => {
    const fromEnv = createUpstashRepository({ env: { UPSTASH_REDIS_REST_URL: stack.server.url, UPSTASH_REDIS_REST_TOKEN: stack.server.token } });
    expect(await fromEnv.tailId(topic())).toBe('0-0');
    await fromEnv.close();
    expect(() => createUpstashRepository({ env: { UPSTASH_REDIS_REST_URL: stack.server.url } })).toThrow(/UPSTASH_REDIS_REST_TOKEN/);
    expect(() => createUpstashRepository({ env: {} })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('serves reads of one topic with different cursors in the same poll, each after its own cursor', async () => {
    const t = topic();
    const { ids } = await repo.append({ topic: t, entries: [{ d: '1' }, { d: '2' }, { d: '3' }], maxLen: 0, ttlSeconds: 0 });
    stack.server.resetStats();
    const [fromStart, fromSecond, fromLast, many] = await Promise.all([
      repo.read(t, ids[1]!, { count: 1 }).then(() => repo.read(t, '0-0')),
      repo.read(t, ids[0]!),
      repo.read(t, ids[2]!),
      repo.readMany([
        { topic: t, afterId: ids[2]! },
        { topic: t, afterId: ids[1]! },
      ]),
    ]);
    expect(fromStart.map((e) => e.fields['d'])).toEqual(['1', '2', '3']);
    expect(fromSecond.map((e) => e.fields['d'])).toEqual(['2', '3']);
    expect(fromLast).toEqual([]);
    expect(many.map((te) => te.entries.map((e) => e.fields['d']))).toEqual([['3']]);
    expect(stack.server.stats.byCommand.get('XREAD')).toBe(2);
  });

  it('lets a topic expire in real time, taking its idempotency record with it', { timeout: 10_000 }, async () => {
    const t = topic();
    const request = { topic: t, entries: [{ d: 'a' }], maxLen: 0, ttlSeconds: 1, idempotency: { producerId: 'p', seqs: [7] } };
    await repo.append(request);
    expect((await repo.info(t))!.ttlMs).toBeLessThanOrEqual(1_000);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await repo.info(t)).toBeNull();
    expect(await repo.tailId(t)).toBe('0-0');
    const again = await repo.append(request);
    expect(again).toMatchObject({ duplicates: 0 });
    expect(again.ids).toHaveLength(1);
  });
});
