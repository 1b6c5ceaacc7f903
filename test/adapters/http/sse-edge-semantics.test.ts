// Issue 8 item 6: methods, HEAD, a stream that cannot be read, a slow authorize hook.
import { describe, expect, it } from 'vitest';
import { createSseHandler, sseResponse, type SseSource } from '../../../src/adapters/http/index.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { createWorld, publishMessage, SseBody, sseRequest } from './sse-helpers.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value (key task:secret-internal-name)';

function countingSource(): SseSource & { opened: number } {
  const source = {
    kind: 'sse-source' as const,
    opened: 0,
    open() {
      source.opened++;
      return { ready: Promise.resolve({ startId: '0-0', ended: false }), items: (async function* () {})() };
    },
  };
  return source;
}

describe('methods', () => {
  it.each([['POST'], ['PUT'], ['DELETE'], ['PATCH'], ['OPTIONS']])('answers %s with 405 and Allow: GET, HEAD, opening nothing', async (method) => {
    const source = countingSource();
    const response = await sseResponse(source, 'task-1', new Request('http://localhost/e', { method }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
    expect(source.opened).toBe(0);
  });

  it('answers HEAD with the SSE headers and no body, holding no subscription and no timer', async () => {
    const clock = new FakeClock();
    const source = countingSource();
    const response = await sseResponse(source, 'task-1', new Request('http://localhost/e', { method: 'HEAD' }), { clock });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.body).toBeNull();
    expect(source.opened).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('HEAD still checks the task id, authorize and the resume point', async () => {
    const head = (path: string, headers: Record<string, string> = {}): Request => new Request(`http://localhost${path}`, { method: 'HEAD', headers });
    expect((await sseResponse(countingSource(), 'a*b', head('/e'))).status).toBe(400);
    expect((await sseResponse(countingSource(), 'task-1', head('/e', { 'last-event-id': 'nope' }))).status).toBe(400);
    expect((await sseResponse(countingSource(), 'task-1', head('/e'), { authorize: () => false })).status).toBe(403);
  });
});

describe('a key of the wrong type under the prefix (BACKEND_COMMAND)', () => {
  it('at the start: one terminal error event, no retry, no backend text', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    let calls = 0;
    const wrongType = (): Promise<never> => {
      calls++;
      return Promise.reject(new TaskStreamError('BACKEND_COMMAND', WRONGTYPE));
    };
    const repository = wrapRepository(inner, { tailId: wrongType, info: wrongType, read: wrongType });
    const world = createWorld({ clock, repository });
    const response = await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock, keepAliveMs: 0 });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toMatch(/WRONGTYPE|secret-internal-name/);
    const body = new SseBody(new Response(text).body!);
    await body.finished();
    expect(body.types).toEqual(['error']);
    expect(body.data('error')).toEqual([{ type: 'stream_error', code: 'BACKEND_COMMAND', message: expect.any(String), retryInMs: 1000, terminal: true }]);
    await clock.advance(60_000);
    expect(calls).toBe(1);
    expect(clock.pendingCount).toBe(0);
  });

  it('mid-stream: the events so far, then one terminal error event and the end of the response', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    const state = { wrongType: false };
    const repository = wrapRepository(inner, {
      read: (t, a, o) => (state.wrongType ? Promise.reject(new TaskStreamError('BACKEND_COMMAND', WRONGTYPE)) : inner.read(t, a, o)),
    });
    const world = createWorld({ clock, repository });
    await publishMessage(world.publisher, 'task-1', ['a']);
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock, keepAliveMs: 0 })).body!);
    await body.until(() => body.types.includes('done'), 'done');
    state.wrongType = true;
    await clock.advance(10_000);
    await body.finished();
    expect(body.types).toEqual(['connected', 'start', 'delta', 'done', 'error']);
    expect(body.data('error')).toEqual([expect.objectContaining({ code: 'BACKEND_COMMAND', terminal: true })]);
    expect(JSON.stringify(body.events)).not.toContain('WRONGTYPE');
    expect(clock.pendingCount).toBe(0);
  });

  it('a retried failure tells the client the code, never the backend message', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    const state = { down: false };
    const repository = wrapRepository(inner, {
      read: (t, a, o) => (state.down ? Promise.reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'connect ECONNREFUSED 10.1.2.3:6379 (redis://user:hunter2@db)')) : inner.read(t, a, o)),
    });
    const world = createWorld({ clock, repository });
    await publishMessage(world.publisher, 'task-1', ['a']);
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock, keepAliveMs: 0 })).body!);
    await body.until(() => body.types.includes('done'), 'done');
    state.down = true;
    await clock.advance(6_000);
    await body.until(() => body.types.includes('error'), 'error');
    expect(body.data('error')[0]).toMatchObject({ code: 'BACKEND_UNAVAILABLE', terminal: false });
    expect(JSON.stringify(body.events)).not.toMatch(/10\.1\.2\.3|hunter2|ECONNREFUSED/);
    await body.cancel();
  });
});

describe('authorize timeout', () => {
  it('answers 503 AUTHORIZE_TIMEOUT after authorizeTimeoutMs (default 10 s) and opens nothing', async () => {
    const clock = new FakeClock();
    const source = countingSource();
    const handler = createSseHandler(source, { clock, authorize: () => new Promise<boolean>(() => undefined) });
    let settled: Response | undefined;
    const pending = handler(sseRequest('/e'), 'task-1').then((r) => (settled = r));
    await clock.advance(9_999);
    expect(settled).toBeUndefined();
    await clock.advance(1);
    const response = await pending;
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('10');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('AUTHORIZE_TIMEOUT');
    expect(source.opened).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it.each([[undefined], [null], [0], [1], [200], ['yes'], [{}], [[]], [Number.NaN]])('denies (403) an odd decision %j', async (decision) => {
    const source = countingSource();
    const response = await sseResponse(source, 'task-1', sseRequest('/e'), { authorize: () => decision as never });
    expect(response.status).toBe(403);
    expect(source.opened).toBe(0);
  });

  it('denies (403) a hook that rejects asynchronously', async () => {
    const response = await sseResponse(countingSource(), 'task-1', sseRequest('/e'), { authorize: () => Promise.reject(new Error('db down')) });
    expect(response.status).toBe(403);
  });
});
