import { Redis, errors, type RedisConfigNodejs } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startUpstashStack, type UpstashStack } from './stack.js';

let stack: UpstashStack;
const TRICKY = ['héllo 👋🏽 wörld', 'line1\nline2\r\n', 'true', '1', '12345678901234567890123', '{"a":1}', '', 'null'];

function client(overrides: Partial<RedisConfigNodejs> = {}): Redis {
  return new Redis({
    url: stack.server.url,
    token: stack.server.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: false,
    ...overrides,
  });
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(stack.server.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.server.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  stack = await startUpstashStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('local Upstash server, through the real @upstash/redis client', () => {
  for (const encoding of ['base64', false] as const) {
    it(`round-trips tricky strings byte for byte (responseEncoding ${String(encoding)})`, async () => {
      const redis = client({ responseEncoding: encoding });
      for (const [i, value] of TRICKY.entries()) {
        await redis.set(`s:${encoding}:${i}`, value);
        expect(await redis.get(`s:${encoding}:${i}`)).toBe(value);
      }
    });
  }

  it('returns numbers as numbers, nil as null, and stringifies number arguments', async () => {
    const redis = client();
    expect(await redis.incrby('counter', 5)).toBe(5);
    await redis.set('n', 42);
    expect(await redis.get('n')).toBe('42');
    expect(await redis.get('missing-key')).toBeNull();
    expect(await redis.exec(['TYPE', 'n'])).toBe('string');
    expect(await redis.exec(['PING'])).toBe('PONG');
  });

  it('keeps nested arrays (stream entries) with strings intact', async () => {
    const redis = client();
    const id = await redis.exec<string>(['XADD', 'st', '*', 'data', 'emoji 🚀\nnl', 'flag', 'true']);
    const read = await redis.exec(['XREAD', 'COUNT', '10', 'STREAMS', 'st', '0-0']);
    expect(read).toEqual([['st', [[id, ['data', 'emoji 🚀\nnl', 'flag', 'true']]]]]);
  });

  it('reports per-command errors in a pipeline, and runs multi-exec atomically', async () => {
    const redis = client();
    await redis.set('str', 'x');
    const res = await redis.pipeline().get('str').lpush('str', 'y').incr('pcount').exec({ keepErrors: true });
    expect(res[0]).toEqual({ result: 'x', error: undefined });
    expect(res[1]!.error).toMatch(/^WRONGTYPE/);
    expect(res[2]).toEqual({ result: 1, error: undefined });
    await expect(redis.pipeline().get('str').lpush('str', 'y').exec()).rejects.toThrow(/Command 2 \[ lpush \] failed: WRONGTYPE/);
    expect(await redis.multi().set('m1', 'a').incr('m2').get('m1').exec()).toEqual(['OK', 1, 'a']);
  });

  it('answers a failed single command with HTTP 400 {"error"}', async () => {
    const raw = await post('/', ['LPUSH', 'str', 'y']);
    expect(raw.status).toBe(400);
    expect(raw.json).toEqual({ error: expect.stringMatching(/^WRONGTYPE/) });
    await expect(client().lpush('str', 'y')).rejects.toThrow(errors.UpstashError);
  });

  it('rejects a missing or wrong bearer token with 401', async () => {
    await expect(client({ token: 'wrong' }).get('str')).rejects.toThrow('Unauthorized');
    const res = await fetch(stack.server.url, { method: 'POST', body: '["GET","str"]' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'Unauthorized' });
  });

  it('refuses blocking commands when told to, alone or in a pipeline, but serves non-blocking XREAD', async () => {
    const redis = client();
    stack.server.setBlocking('refuse');
    try {
      await expect(redis.exec(['XREAD', 'BLOCK', '100', 'STREAMS', 'st', '$'])).rejects.toThrow(/blocking command XREAD/);
      await expect(redis.exec(['BLPOP', 'list', '1'])).rejects.toThrow(/blocking command BLPOP/);
      expect(await redis.exec(['XREAD', 'COUNT', '1', 'STREAMS', 'nothing-here', '0-0'])).toBeNull();
    } finally {
      stack.server.setBlocking('serve');
    }
    expect((await post('/pipeline', [['GET', 'str'], ['BRPOP', 'l', '0']])).status).toBe(400);
  });

  it('holds XREAD … BLOCK on a connection of its own until an entry arrives, without holding up other requests', async () => {
    const redis = client();
    const opened = stack.server.blocking.opened;
    const held = [1, 2].map(() => redis.exec(['XREAD', 'COUNT', '10', 'BLOCK', '20000', 'STREAMS', 'held-st', '$']));
    await vi.waitFor(() => expect(stack.server.blocking.held).toBe(2), { timeout: 10_000 });
    expect(stack.server.blocking.opened - opened).toBeLessThanOrEqual(2);
    expect(await redis.exec(['PING'])).toBe('PONG'); // the shared connection is free
    const id = await redis.exec<string>(['XADD', 'held-st', '*', 'k', 'v']);
    for (const reply of await Promise.all(held)) expect(reply).toEqual([['held-st', [[id, ['k', 'v']]]]]);
    expect(stack.server.blocking.held).toBe(0);
    // A block that runs out answers null, as Redis does.
    expect(await redis.exec(['XREAD', 'BLOCK', '20', 'STREAMS', 'held-st', id])).toBeNull();
  });

  it('frees the held connection when the client aborts the request', async () => {
    const controller = new AbortController();
    const redis = client({ signal: controller.signal });
    const freed = stack.server.blocking.freedByAbort;
    const held = redis.exec(['XREAD', 'BLOCK', '60000', 'STREAMS', 'abort-st', '$']);
    await vi.waitFor(() => expect(stack.server.blocking.held).toBe(1), { timeout: 10_000 });
    controller.abort();
    await held.catch(() => undefined); // the SDK resolves an aborted request with its reason
    await vi.waitFor(() => expect(stack.server.blocking.held).toBe(0), { timeout: 10_000 });
    expect(stack.server.blocking.freedByAbort).toBe(freed + 1);
    // redis-server itself no longer blocks on it (the connection was closed).
    await vi.waitFor(async () => expect(await client().exec<string>(['CLIENT', 'LIST'])).not.toMatch(/ flags=b /), { timeout: 10_000 });
  });

  it('encodes every string at every depth in base64, leaves numbers, nulls and errors alone', async () => {
    await client().set('b64', 'é👋');
    const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
    expect((await post('/', ['GET', 'b64'], { 'upstash-encoding': 'base64' })).json).toEqual({ result: b64('é👋') });
    expect((await post('/', ['GET', 'b64'])).json).toEqual({ result: 'é👋' });
    const pipe = await post('/pipeline', [['MGET', 'b64', 'missing-key'], ['STRLEN', 'b64'], ['LPUSH', 'b64', 'x'], ['SET', 'k', 'v']], {
      'upstash-encoding': 'base64',
    });
    expect(pipe.json).toEqual([
      { result: [b64('é👋'), null] },
      { result: 6 },
      { error: expect.stringMatching(/^WRONGTYPE Operation against a key/) },
      { result: 'OK' },
    ]);
  });

  it('counts requests and injects faults on demand', async () => {
    const redis = client();
    stack.server.resetStats();
    await redis.get('str');
    await redis.pipeline().get('str').get('str').exec();
    expect(stack.server.stats.requests).toBe(2);
    expect(stack.server.stats.commands).toBe(3);
    stack.server.setFaults({ rate: 1, kinds: ['drop-after'] });
    const before = stack.server.stats.requests;
    await expect(redis.incr('faulty')).rejects.toThrow();
    // Each dropped request ran. The SDK resends after a network error even with `retry: false`
    // (its loop runs attempts + 1 times), so one call may reach the server twice.
    const sent = stack.server.stats.requests - before;
    expect(stack.server.faultsInjected.get('drop-after')).toBe(sent);
    stack.server.setFaults({ rate: 1, kinds: ['status-before'] });
    await expect(redis.incr('faulty')).rejects.toThrow(/Service Unavailable/);
    stack.server.setFaults(undefined);
    expect(await redis.get('faulty')).toBe(String(sent));
  });
});
