import { describe, expect, it, vi } from 'vitest';
import { createSseHandler, sseResponse, type SseSource, type SseSubscribeRequest } from '../../../src/adapters/http/index.js';
import { parseResumePoint } from '../../../src/domain/cursor.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { createWorld, publishMessage, SseBody, sseRequest } from './sse-helpers.js';

const tokens = (n: number): string[] => Array.from({ length: n }, (_, i) => `t${i} `);

async function errorBody(response: Response): Promise<{ code: string; message: string }> {
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

/** A source that records whether the handler ever opened a subscription. */
function spySource(): SseSource & { opened: number } {
  const source = {
    kind: 'sse-source' as const,
    opened: 0,
    open(request: SseSubscribeRequest) {
      source.opened++;
      const ready = Promise.resolve().then(() => ({ startId: parseResumePoint(request.lastEventId) ?? '0-0', ended: false }));
      return { ready, items: (async function* () {})() };
    },
  };
  return source;
}

describe('sseResponse: bad input is answered before any byte', () => {
  it.each([['not-an-id'], ['$'], ['1-'], ['-1-0'], ['01-0'], ['1-0 junk'], ['99999999999999999999999-0']])(
    'answers 400 INVALID_RESUME_POINT for Last-Event-ID %j (header and query)',
    async (bad) => {
      // The subscriber parses the resume point (once) before any backend call.
      const calls: string[] = [];
      const inner = createMemoryRepository();
      const repository = wrapRepository(inner, {
        info: (t) => (calls.push('info'), inner.info(t)),
        tailId: (t) => (calls.push('tailId'), inner.tailId(t)),
        read: (t, a, o) => (calls.push('read'), inner.read(t, a, o)),
      });
      const source = createWorld({ repository }).subscriber;
      const byHeader = await sseResponse(source, 'task-1', sseRequest('/e', { 'last-event-id': bad }));
      expect(byHeader.status).toBe(400);
      expect((await errorBody(byHeader)).code).toBe('INVALID_RESUME_POINT');
      const byQuery = await sseResponse(source, 'task-1', sseRequest(`/e?lastEventId=${encodeURIComponent(bad)}`));
      expect(byQuery.status).toBe(400);
      expect((await errorBody(byQuery)).code).toBe('INVALID_RESUME_POINT');
      expect(calls).toEqual([]);
    },
  );

  it('answers 400 for a resume point newer than anything the stream holds', async () => {
    const { publisher, subscriber } = createWorld();
    await publishMessage(publisher, 'task-1', ['a']);
    const response = await sseResponse(subscriber, 'task-1', sseRequest('/e', { 'last-event-id': '99999999999999-0' }));
    expect(response.status).toBe(400);
    expect((await errorBody(response)).code).toBe('INVALID_RESUME_POINT');
  });

  it.each([['*'], ['task*'], ['a..b'], ['..'], ['{x}'], ['a b'], ['a\u0001b'], [''], ['a\u2028b'], ['a\u200bb'], ['x'.repeat(513)], ['a\\b'], ['a?b']])(
    'answers 400 INVALID_ARGUMENT for task id %j',
    async (taskId) => {
      const source = spySource();
      const authorize = vi.fn(() => true);
      const response = await sseResponse(source, taskId, sseRequest('/e'), { authorize });
      expect(response.status).toBe(400);
      expect((await errorBody(response)).code).toBe('INVALID_ARGUMENT');
      expect(source.opened).toBe(0);
      expect(authorize).not.toHaveBeenCalled();
    },
  );

  it('runs authorize before anything else: 401, 403, a custom Response, and a throwing hook denies', async () => {
    const source = spySource();
    const seen: string[] = [];
    const handler = (decision: unknown) =>
      createSseHandler(source, {
        authorize: (request, taskId) => {
          seen.push(`${taskId}:${request.headers.get('authorization') ?? ''}`);
          if (decision instanceof Error) throw decision;
          return decision as boolean;
        },
      });
    const req = sseRequest('/e', { authorization: 'Bearer x', 'last-event-id': 'garbage' });
    expect((await handler(401)(req, 'task-1')).status).toBe(401);
    expect((await handler(403)(req, 'task-1')).status).toBe(403);
    expect((await handler(false)(req, 'task-1')).status).toBe(403);
    expect((await handler(new Error('boom'))(req, 'task-1')).status).toBe(403);
    const custom = await handler(new Response('nope', { status: 401, headers: { 'www-authenticate': 'Bearer' } }))(req, 'task-1');
    expect(custom.status).toBe(401);
    expect(custom.headers.get('www-authenticate')).toBe('Bearer');
    expect(seen).toEqual(Array(5).fill('task-1:Bearer x'));
    expect(source.opened).toBe(0);
    // Allowed: the source checks the resume point (the one parse) and the handler answers 400.
    expect((await handler(true)(req, 'task-1')).status).toBe(400);
  });
});

describe('sseResponse: streaming', () => {
  it('sends SSE headers, retry, connected (id = cursor), then one frame per event with the stream id', async () => {
    const { publisher, subscriber, repository } = createWorld();
    await publishMessage(publisher, 'task-1', ['Hel', 'lo\n', '\u2028"x"']);
    const response = await sseResponse(subscriber, 'task-1', sseRequest('/e'), { retryMs: 2500 });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toMatch(/no-cache/);
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const body = new SseBody(response.body!);
    await body.until(() => body.types.includes('done'), 'done');
    expect(body.retries).toEqual([2500]);
    expect(body.types).toEqual(['connected', 'start', 'delta', 'delta', 'delta', 'done']);
    expect(body.events[0]!.id).toBe('0-0');
    const entries = await repository.read('task:task-1', '0-0');
    expect(body.events.slice(1).map((e) => e.id)).toEqual(entries.map((e) => e.id));
    const text = body.data('delta').map((d) => (d as { delta: { textDelta: string } }).delta.textDelta).join('');
    expect(text).toBe('Hello\n\u2028"x"');
    await body.cancel();
  });

  it("from 'start' after the task is terminal: the whole history (several pages) and the end, then the response closes", async () => {
    const { publisher, subscriber } = createWorld();
    await publishMessage(publisher, 'task-1', tokens(250), 0);
    await publishMessage(publisher, 'task-1', tokens(30), 1);
    await publisher.updateTask('task-1', 'COMPLETED');
    const body = new SseBody((await sseResponse(subscriber, 'task-1', sseRequest('/e'))).body!);
    await body.finished();
    expect(body.data('delta')).toHaveLength(280);
    expect(body.data('done')).toHaveLength(2);
    expect(body.types.at(-2)).toBe('task_updated');
    expect(body.data('end')).toEqual([{ type: 'end', reason: 'terminal', status: 'COMPLETED' }]);
  });

  it("from 'tail': connected carries the tail snapshot; only later events follow", async () => {
    const { publisher, subscriber, repository } = createWorld();
    await publishMessage(publisher, 'task-1', ['old'], 0);
    const tail = await repository.tailId('task:task-1');
    const body = new SseBody((await sseResponse(subscriber, 'task-1', sseRequest('/e'), { from: 'tail' })).body!);
    await body.until(() => body.types.includes('connected'), 'connected');
    expect(body.events[0]!.id).toBe(tail);
    expect(body.data('connected')).toEqual([{ type: 'connected', taskId: 'task-1', cursor: tail, resumed: false }]);
    await publishMessage(publisher, 'task-1', ['new'], 1);
    await publisher.updateTask('task-1', 'COMPLETED');
    await body.finished();
    expect(body.data('delta').map((d) => (d as { delta: { textDelta: string } }).delta.textDelta)).toEqual(['new']);
  });

  it('resumes strictly after Last-Event-ID (header wins over the query parameter)', async () => {
    const { publisher, subscriber, repository } = createWorld();
    await publishMessage(publisher, 'task-1', ['a', 'b', 'c']);
    await publisher.updateTask('task-1', 'COMPLETED');
    const ids = (await repository.read('task:task-1', '0-0')).map((e) => e.id);
    const body = new SseBody((await sseResponse(subscriber, 'task-1', sseRequest(`/e?lastEventId=${ids[0]}`, { 'last-event-id': ids[2]! }))).body!);
    await body.finished();
    expect(body.data('connected')).toEqual([{ type: 'connected', taskId: 'task-1', cursor: ids[2], resumed: true }]);
    expect(body.events.filter((e) => e.id !== undefined && e.event !== 'connected').map((e) => e.id)).toEqual(ids.slice(3));
  });

  it('sends a gap event (without an id) before continuing when the source reports trimmed entries', async () => {
    const source: SseSource = {
      kind: 'sse-source',
      open: () => ({
        ready: Promise.resolve({ startId: '5-0', ended: false }),
        items: (async function* () {
          yield { id: '5-0', event: { type: 'gap' as const, reason: 'trimmed' as const, resumeId: '5-0', firstRetainedId: '9-0', trimmed: 4 } };
          yield { id: '9-0', event: { type: 'task_updated' as const, seq: 0, status: 'COMPLETED', fields: {} } };
        })(),
      }),
    };
    const body = new SseBody((await sseResponse(source, 'task-1', sseRequest('/e', { 'last-event-id': '5-0' }))).body!);
    await body.finished();
    expect(body.types).toEqual(['connected', 'gap', 'task_updated', 'end']);
    const gap = body.events[1]!;
    expect(gap.id).toBeUndefined();
    expect(JSON.parse(gap.data)).toEqual({ type: 'gap', reason: 'trimmed', resumeId: '5-0', firstRetainedId: '9-0', trimmed: 4 });
  });

  it('reports a real trim (memory backend, MAXLEN ~) as a gap, then streams the retained entries', async () => {
    const clock = new FakeClock();
    const repository = createMemoryRepository({ clock, nodeMaxEntries: 4 });
    const { publisher, subscriber } = createWorld({ clock, repository, maxLen: 8 });
    await publishMessage(publisher, 'task-1', tokens(3), 0);
    const firstIds = (await repository.read('task:task-1', '0-0')).map((e) => e.id);
    await publishMessage(publisher, 'task-1', tokens(60), 1);
    await publisher.updateTask('task-1', 'COMPLETED');
    const retained = (await repository.read('task:task-1', '0-0')).map((e) => e.id);
    expect(retained).not.toContain(firstIds[1]);
    const body = new SseBody((await sseResponse(subscriber, 'task-1', sseRequest('/e', { 'last-event-id': firstIds[1]! }))).body!);
    await body.finished();
    expect(body.types.slice(0, 2)).toEqual(['connected', 'gap']);
    expect(body.data('gap')[0]).toMatchObject({ type: 'gap', reason: 'trimmed', resumeId: firstIds[1], firstRetainedId: retained[0] });
    expect(body.events.filter((e) => e.id !== undefined && e.event !== 'connected').map((e) => e.id)).toEqual(retained);
  });

  it('keeps the response open after a terminal status when endOnTerminal is false', async () => {
    const { publisher, subscriber, clock } = createWorld();
    await publishMessage(publisher, 'task-1', ['a']);
    await publisher.updateTask('task-1', 'COMPLETED');
    const body = new SseBody((await sseResponse(subscriber, 'task-1', sseRequest('/e'), { endOnTerminal: false, clock })).body!);
    await body.until(() => body.types.includes('task_updated'), 'task_updated');
    await clock.advance(1000);
    expect(body.ended).toBe(false);
    expect(body.types).not.toContain('end');
    await body.cancel();
  });
});
