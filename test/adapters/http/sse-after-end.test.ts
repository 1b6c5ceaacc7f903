import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sendSse, sseResponse, type SseOptions } from '../../../src/adapters/http/index.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { StreamRepository } from '../../../src/ports/stream-repository.js';
import { createWorld, publishMessage, SseBody, sseRequest } from './sse-helpers.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';

/** A finished task on a memory backend (kept typed, for `waitingReads`), and the id of its terminal event as a client saw it. */
async function finishedTask(options: { failingStart?: { on: boolean } } = {}) {
  const clock = new FakeClock();
  const memory = createMemoryRepository({ clock });
  const flag = options.failingStart;
  const down = (): Promise<never> => Promise.reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'down'));
  const repository: StreamRepository = flag
    ? wrapRepository(memory, {
        tailId: (t) => (flag.on ? down() : memory.tailId(t)),
        info: (t) => (flag.on ? down() : memory.info(t)),
      })
    : memory;
  const world = createWorld({ clock, repository, tuning: { maxRetries: 0 } });
  await publishMessage(world.publisher, 'task-1', ['a', 'b']);
  await world.publisher.updateTask('task-1', 'COMPLETED');
  const first = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock })).body!);
  await first.finished();
  expect(first.types.slice(-2)).toEqual(['task_updated', 'end']);
  // What a browser sends back: the last id it saw (`end` has none, so it is the terminal event's).
  const lastId = first.events.filter((e) => e.id).at(-1)!.id!;
  expect(lastId).toBe(first.events.at(-2)!.id);
  return { clock, memory, world, lastId };
}

const options = (clock: FakeClock): SseOptions => ({ clock, keepAliveMs: 15_000 });

describe('SSE reconnect after the task ended', () => {
  it('Last-Event-ID = the terminal event: 204 No Content, no body, nothing held (no read waiting, no timer)', async () => {
    const { clock, memory, world, lastId } = await finishedTask();
    const response = await sseResponse(world.subscriber, 'task-1', sseRequest('/e', { 'last-event-id': lastId }), options(clock));
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    await clock.advance(0);
    expect(memory.waitingReads).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('the same through the ?lastEventId= query parameter', async () => {
    const { clock, memory, world, lastId } = await finishedTask();
    const response = await sseResponse(world.subscriber, 'task-1', sseRequest(`/e?lastEventId=${lastId}`), options(clock));
    expect(response.status).toBe(204);
    expect(memory.waitingReads).toBe(0);
  });

  it('a resume point before the terminal event still streams the rest and the end', async () => {
    const { clock, world, lastId } = await finishedTask();
    const entries = await world.repository.read('task:task-1', '0-0');
    const beforeEnd = entries.at(-2)!.id;
    const response = await sseResponse(world.subscriber, 'task-1', sseRequest('/e', { 'last-event-id': beforeEnd }), options(clock));
    expect(response.status).toBe(200);
    const body = new SseBody(response.body!);
    await body.finished();
    expect(body.types).toEqual(['connected', 'task_updated', 'end']);
    expect(body.events[1]!.id).toBe(lastId);
  });

  it('with endOnTerminal: false the stream stays open after the terminal event, so a reconnect there is served (200) as before', async () => {
    const { clock, memory, world, lastId } = await finishedTask();
    const response = await sseResponse(world.subscriber, 'task-1', sseRequest('/e', { 'last-event-id': lastId }), { ...options(clock), endOnTerminal: false });
    expect(response.status).toBe(200);
    const body = new SseBody(response.body!);
    await body.until(() => body.types.includes('connected'), 'connected');
    await body.until(() => memory.waitingReads === 1, 'a waiting read');
    await body.cancel();
    expect(memory.waitingReads).toBe(0);
  });

  it('when the backend was down at reconnect, the start retried within connectTimeoutMs finds the end: 204', async () => {
    const failingStart = { on: false };
    const { clock, memory, world, lastId } = await finishedTask({ failingStart });
    failingStart.on = true;
    const pending = sseResponse(world.subscriber, 'task-1', sseRequest('/e', { 'last-event-id': lastId }), { ...options(clock), errorBackoffMs: 100 });
    await clock.advance(0);
    failingStart.on = false;
    await clock.advance(100);
    const response = await pending;
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect(memory.waitingReads).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('sendSse (Node http) answers 204 with no SSE headers, and the server holds nothing', async () => {
    const { clock, memory, world, lastId } = await finishedTask();
    const server = http.createServer((req, res) => void sendSse(world.subscriber, 'task-1', req, res, options(clock)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/e`, { headers: { 'last-event-id': lastId } });
      expect(response.status).toBe(204);
      expect(response.headers.get('content-type')).toBeNull();
      expect(await response.text()).toBe('');
      expect(memory.waitingReads).toBe(0);
      expect(clock.pendingCount).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
