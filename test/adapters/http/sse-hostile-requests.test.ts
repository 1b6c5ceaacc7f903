// Hostile requests and entries at the SSE edge that were already handled (issue 8's table), pinned.
import { describe, expect, it } from 'vitest';
import { sseResponse } from '../../../src/adapters/http/index.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createWorld, SseBody, sseRequest } from './sse-helpers.js';

const code = async (response: Response): Promise<string> => ((await response.json()) as { error: { code: string } }).error.code;

describe('hostile task ids', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['a lone surrogate', 'a\ud800b'],
    ['10 kB', 'x'.repeat(10_000)],
    ['a bidi override', 'a\u202eb'],
    ['a path', '../../etc/passwd'],
    ['a brace hash tag', 'a{b}'],
  ])('%s: 400 INVALID_ARGUMENT', async (_what, taskId) => {
    const world = createWorld();
    const response = await sseResponse(world.subscriber, taskId, sseRequest('/e'), { clock: world.clock });
    expect(response.status).toBe(400);
    expect(await code(response)).toBe('INVALID_ARGUMENT');
    expect(world.clock.pendingCount).toBe(0);
  });
});

describe('hostile Last-Event-ID', () => {
  it.each([
    ['CR/LF inside (query)', '1-0\r\nevent: x'],
    ['NUL', '1-0\u0000'],
    ['U+2028 inside', '1-\u20280'],
    ['10 kB', '1'.repeat(10_000) + '-0'],
    ['a special id', '>'],
    ['a plus', '+'],
    ['a sign', '+1-0'],
    ['a fraction', '1.5-0'],
  ])('%s: 400 INVALID_RESUME_POINT', async (_what, id) => {
    const world = createWorld();
    const response = await sseResponse(world.subscriber, 'task-1', sseRequest(`/e?lastEventId=${encodeURIComponent(id)}`), { clock: world.clock });
    expect(response.status).toBe(400);
    expect(await code(response)).toBe('INVALID_RESUME_POINT');
  });

  it('whitespace only means no resume point', async () => {
    const world = createWorld();
    await world.publisher.updateTask('task-1', 'COMPLETED');
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e', { 'last-event-id': '   ' }), { clock: world.clock })).body!);
    await body.finished();
    expect(body.types).toEqual(['connected', 'task_updated', 'end']);
  });
});

describe('a foreign entry with a __proto__ key', () => {
  it('is forwarded as an ordinary field; nothing is polluted', async () => {
    const world = createWorld();
    await world.repository.append({ topic: 'task:task-1', entries: [{ data: '{"type":"done","index":0,"__proto__":{"polluted":true}}' }], maxLen: 0, ttlSeconds: 0 });
    await world.publisher.updateTask('task-1', 'COMPLETED');
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock: world.clock })).body!);
    await body.finished();
    const frame = body.events.find((e) => e.event === 'done')!;
    expect(frame.data).toContain('"__proto__":{"polluted":true}');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('1,000 concurrent connections, then all dropped', () => {
  it('serves them all, and once they leave holds no timer and no waiting read', async () => {
    const clock = new FakeClock();
    const memory = createMemoryRepository({ clock });
    const world = createWorld({ clock, repository: memory });
    const bodies = await Promise.all(
      Array.from({ length: 1_000 }, async () => new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock, from: 'tail' })).body!)),
    );
    await Promise.all(bodies.map((b) => b.until(() => b.types.includes('connected'), 'connected')));
    await world.publisher.updateTask('task-1', 'RUNNING');
    await Promise.all(bodies.map((b) => b.until(() => b.types.includes('task_updated'), 'task_updated')));
    await Promise.all(bodies.map((b) => b.cancel()));
    await clock.advance(0);
    expect(memory.waitingReads).toBe(0);
    expect(clock.pendingCount).toBe(0);
  }, 60_000);
});
