import { describe, expect, it, vi } from 'vitest';
import { sseResponse } from '../../../src/adapters/http/index.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { StreamRepository } from '../../../src/ports/stream-repository.js';
import type { Logger } from '../../../src/ports/logger.js';
import { createWorld, publishMessage, SseBody, sseRequest } from './sse-helpers.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';

/** Wraps a repository: counts calls, and fails reads while `failing` is set. */
function instrumented(inner: StreamRepository) {
  const calls = { read: 0, deleteTopic: 0 };
  const state = { failing: false, failingStart: false };
  const repository = wrapRepository(inner, {
    read: (topic, after, options) => {
      calls.read++;
      if (state.failing) return Promise.reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'connection refused'));
      return inner.read(topic, after, options);
    },
    tailId: (t) => (state.failingStart ? Promise.reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'down')) : inner.tailId(t)),
    info: (t) => (state.failingStart ? Promise.reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'down')) : inner.info(t)),
    deleteTopic: (t) => {
      calls.deleteTopic++;
      return inner.deleteTopic(t);
    },
  });
  return { repository, calls, state };
}

function spyLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('SSE lifecycle', () => {
  it('a client that disconnects ends its reader at once, leaves no timer and deletes nothing', async () => {
    const clock = new FakeClock();
    const { repository, calls } = instrumented(createMemoryRepository({ clock }));
    const world = createWorld({ clock, repository });
    await publishMessage(world.publisher, 'task-1', ['a', 'b']);
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock: world.clock })).body!);
    await body.until(() => body.types.includes('done'), 'done');
    expect(world.clock.pendingCount).toBeGreaterThan(0); // keep-alive (and the blocked read's timeout) while connected
    await body.cancel();
    await world.clock.advance(0);
    expect(world.clock.pendingCount).toBe(0);
    const readsAtDisconnect = calls.read;
    await world.clock.advance(60_000);
    expect(calls.read).toBe(readsAtDisconnect);
    expect(calls.deleteTopic).toBe(0);
    expect((await repository.info('task:task-1'))?.length).toBe(4);
  });

  it('a request whose signal aborts ends the stream and the reader too', async () => {
    const world = createWorld();
    const aborter = new AbortController();
    const request = new Request('http://localhost/e', { signal: aborter.signal });
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', request, { clock: world.clock })).body!);
    await body.until(() => body.types.includes('connected'), 'connected');
    aborter.abort();
    await body.finished();
    await world.clock.advance(0);
    expect(world.clock.pendingCount).toBe(0);
  });

  it('sends a keep-alive comment after each idle interval (default 15 s), measured from the last write', async () => {
    const { clock, publisher, subscriber } = createWorld();
    const body = new SseBody((await sseResponse(subscriber, 'task-1', sseRequest('/e'), { clock, from: 'tail' })).body!);
    await body.until(() => body.types.includes('connected'), 'connected');
    await clock.advance(14_999);
    expect(body.comments).toEqual([]);
    await clock.advance(1);
    await body.until(() => body.comments.length === 1, 'first keep-alive');
    await clock.advance(5_000);
    await publishMessage(publisher, 'task-1', ['x']); // written at 20 s: the next comment is due at 35 s
    await body.until(() => body.types.includes('done'), 'done');
    await clock.advance(14_999);
    expect(body.comments).toEqual(['keep-alive']);
    await clock.advance(1);
    await body.until(() => body.comments.length === 2, 'second keep-alive');
    await body.cancel();
    expect(clock.pendingCount).toBe(0);
  });

  it('honours a configured keep-alive interval, and 0 disables it', async () => {
    const { clock, subscriber } = createWorld();
    const fast = new SseBody((await sseResponse(subscriber, 'task-1', sseRequest('/e'), { clock, keepAliveMs: 1_000 })).body!);
    const off = new SseBody((await sseResponse(subscriber, 'task-2', sseRequest('/e'), { clock, keepAliveMs: 0 })).body!);
    await clock.advance(10_000);
    await fast.until(() => fast.comments.length === 10, '10 keep-alives');
    expect(off.comments).toEqual([]);
    await fast.cancel();
    await off.cancel();
    expect(clock.pendingCount).toBe(0);
  });

  it('a failing backend read sends error events, backs off doubling up to the cap, logs sparsely, then recovers without duplicates', async () => {
    const clock = new FakeClock();
    const { repository, state } = instrumented(createMemoryRepository({ clock }));
    const world = createWorld({ clock, repository, tuning: { maxRetries: 0 } });
    const logger = spyLogger();
    await publishMessage(world.publisher, 'task-1', ['before']);
    state.failing = true;
    const options = { clock: world.clock, logger, errorBackoffMs: 100, maxErrorBackoffMs: 400, keepAliveMs: 0 };
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), options)).body!);
    await body.until(() => body.types.includes('error'), 'first error');
    for (let i = 0; i < 8; i++) {
      const before = body.data('error').length;
      await world.clock.advance(400);
      await body.until(() => body.data('error').length > before, `error ${before + 1}`);
    }
    const delays = body.data('error').map((e) => (e as { retryInMs: number }).retryInMs);
    expect(delays.slice(0, 5)).toEqual([100, 200, 400, 400, 400]);
    expect(new Set(body.data('error').map((e) => (e as { code: string }).code))).toEqual(new Set(['BACKEND_UNAVAILABLE']));
    expect(body.events.filter((e) => e.event === 'error').every((e) => e.id === undefined)).toBe(true);
    const warnings = logger.lines.filter((l) => l.startsWith('warn taskstream sse'));
    expect(delays.length).toBeGreaterThanOrEqual(8);
    // Logged at failures 1, 2, 4, 8, … only, and one line per message per 10 s: these ~3 s give one.
    expect(warnings).toHaveLength(1);

    state.failing = false;
    await world.clock.advance(400);
    await body.until(() => body.types.includes('done'), 'history after recovery');
    await publishMessage(world.publisher, 'task-1', ['after'], 1);
    await world.publisher.updateTask('task-1', 'COMPLETED');
    await world.clock.advance(0);
    await body.finished();
    const ids = body.events.filter((e) => e.id !== undefined && e.event !== 'connected').map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(body.data('done')).toHaveLength(2);
    expect(logger.lines.some((l) => l.startsWith('info taskstream sse: backend read recovered'))).toBe(true);
    expect(world.clock.pendingCount).toBe(0);
  });
});

describe('SSE backpressure', () => {
  it('stops reading the backend while a slow client does not drain, and resumes when it does', async () => {
    const clock = new FakeClock();
    const { repository, calls } = instrumented(createMemoryRepository({ clock }));
    const world = createWorld({ clock, repository, tuning: { count: 10 } });
    await publishMessage(world.publisher, 'task-1', Array.from({ length: 200 }, (_, i) => `${i}:${'x'.repeat(500)}`));
    await world.publisher.updateTask('task-1', 'COMPLETED');
    const response = await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock, highWaterMarkBytes: 4_096 });
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(calls.read).toBeLessThanOrEqual(2); // 4 KiB buffered is ~8 frames: one or two pages of 10, not all 21
    const body = new SseBody(response.body!);
    await body.finished();
    expect(body.data('delta')).toHaveLength(200);
    expect(calls.read).toBeGreaterThanOrEqual(20);
  });

  it('answers 400 when the subscriber itself rejects the task id (a key prefix stricter than the handler’s)', async () => {
    const response = await sseResponse(
      { open: () => { throw new TaskStreamError('INVALID_ARGUMENT', 'no such task id'); } },
      'task-1',
      sseRequest('/e'),
    );
    expect(response.status).toBe(400);
  });
});

describe('SSE when the backend is down at connect time', () => {
  it('retries the start within connectTimeoutMs: back in time, the client gets 200 and the events, no error event', async () => {
    const clock = new FakeClock();
    const { repository, state } = instrumented(createMemoryRepository({ clock }));
    const world = createWorld({ clock, repository });
    await publishMessage(world.publisher, 'task-1', ['a', 'b']);
    state.failingStart = true;
    const pending = sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock, keepAliveMs: 0, errorBackoffMs: 100 });
    await clock.advance(0);
    state.failingStart = false;
    await clock.advance(100);
    const response = await pending;
    expect(response.status).toBe(200);
    const body = new SseBody(response.body!);
    await body.until(() => body.types.includes('done'), 'done after recovery');
    expect(body.types).toEqual(['connected', 'start', 'delta', 'delta', 'done']);
    await body.cancel();
  });

  it('answers 503 with Retry-After once connectTimeoutMs (default 5 s) has passed, and holds nothing', async () => {
    const clock = new FakeClock();
    const { repository, state } = instrumented(createMemoryRepository({ clock }));
    const world = createWorld({ clock, repository });
    state.failingStart = true;
    let settled: Response | undefined;
    const pending = sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock, keepAliveMs: 0 }).then((r) => (settled = r));
    await clock.advance(4_000);
    expect(settled).toBeUndefined();
    await clock.advance(1_000);
    const response = await pending;
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(((await response.json()) as { error: { code: string; message: string } }).error).toEqual({ code: 'BACKEND_UNAVAILABLE', message: expect.not.stringContaining('down') });
    expect(clock.pendingCount).toBe(0);
  });
});

describe('SSE failures retrying cannot fix', () => {
  it('a closed repository ends the stream after one error event instead of retrying forever', async () => {
    const clock = new FakeClock();
    const repository = createMemoryRepository({ clock });
    const world = createWorld({ clock, repository });
    await publishMessage(world.publisher, 'task-1', ['a']);
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock, keepAliveMs: 0 })).body!);
    await body.until(() => body.types.includes('done'), 'done');
    await repository.close();
    await clock.advance(10_000);
    await body.finished();
    expect(body.data('error')).toEqual([expect.objectContaining({ type: 'stream_error', code: 'CLOSED' })]);
    expect(clock.pendingCount).toBe(0);
  });
});

describe('SSE client leaving early', () => {
  it('a client that leaves while the cursor is being fixed gets an ended body and leaves no timer', async () => {
    const clock = new FakeClock();
    let fix!: (id: string) => void;
    const source = {
      kind: 'sse-source' as const,
      open: () => ({
        ready: new Promise<{ startId: string; ended: boolean }>((resolve) => (fix = (startId) => resolve({ startId, ended: false }))),
        // A subscription that never yields (it would only stop on its signal).
        items: (async function* () {
          await new Promise(() => undefined);
        })(),
      }),
    };
    const aborter = new AbortController();
    const pending = sseResponse(source, 'task-1', new Request('http://localhost/e', { signal: aborter.signal }), { clock });
    await new Promise((r) => setImmediate(r));
    aborter.abort();
    fix('0-0');
    const body = new SseBody((await pending).body!);
    await body.finished();
    expect(clock.pendingCount).toBe(0);
  });
});
