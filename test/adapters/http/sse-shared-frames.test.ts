// Issue 8 item 3 (edge): one encoded copy per entry for all readers; a reader's budget counts the frame.
import { describe, expect, it } from 'vitest';
import { sseResponse } from '../../../src/adapters/http/index.js';
import type { SubscriptionItem } from '../../../src/domain/events.js';
import { createWorld, SseBody, sseRequest } from './sse-helpers.js';

/** Every chunk a body has queued so far, without waiting for more. */
async function queuedChunks(body: ReadableStream<Uint8Array>, count: number): Promise<Uint8Array[]> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  reader.releaseLock();
  return chunks;
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('frames shared between readers', () => {
  it('every reader of a task gets the very same bytes (one ArrayBuffer) for an entry', async () => {
    const world = createWorld();
    const big = 'y'.repeat(1_000_000);
    const message = world.publisher.open('task-1');
    message.delta({ type: 'text', textDelta: big });
    await message.done();
    const options = { clock: world.clock, keepAliveMs: 0, from: 'start' as const };
    const responses = await Promise.all(Array.from({ length: 5 }, () => sseResponse(world.subscriber, 'task-1', sseRequest('/e'), options)));
    await turns(50);
    // retry, connected, delta, done: the delta frame is the third chunk of each body.
    const deltas = await Promise.all(responses.map(async (r) => (await queuedChunks(r.body!, 3))[2]!));
    expect(new TextDecoder().decode(deltas[0]!)).toContain('event: delta');
    expect(deltas[0]!.byteLength).toBeGreaterThan(1_000_000);
    for (const chunk of deltas) expect(chunk.buffer).toBe(deltas[0]!.buffer);
    await Promise.all(responses.map((r) => r.body!.cancel()));
  });
});

describe('byte budget', () => {
  it('cuts a reader whose queued bytes plus the next frame pass maxBufferedBytes; it resumes with Last-Event-ID and gets the frame', async () => {
    const world = createWorld();
    const message = world.publisher.open('task-1');
    for (let i = 0; i < 3; i++) message.delta({ type: 'text', textDelta: `${i}`.repeat(2_000) });
    message.delta({ type: 'text', textDelta: 'B'.repeat(50_000) });
    await message.done();
    await world.publisher.updateTask('task-1', 'COMPLETED');
    const options = { clock: world.clock, keepAliveMs: 0, highWaterMarkBytes: 8_192, maxBufferedBytes: 16_384 };
    const stalled = await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), options);
    await turns(50); // the client reads nothing meanwhile
    const body = new SseBody(stalled.body!);
    await body.finished();
    // Cut: what was still queued is dropped with the connection (never the end); the client resumes after what it got.
    expect(body.types).not.toContain('end');
    const seen = body.events.filter((e) => e.id !== undefined && e.event !== 'connected').map((e) => e.id!);
    const lastId = body.events.filter((e) => e.id !== undefined).at(-1)?.id;

    const resumed = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e', lastId ? { 'last-event-id': lastId } : {}), options)).body!);
    await resumed.finished();
    expect(resumed.types.slice(-4)).toEqual(['delta', 'done', 'task_updated', 'end']);
    expect((resumed.data('delta').at(-1) as { delta: { textDelta: string } }).delta.textDelta).toHaveLength(50_000);
    const all = (await world.repository.read('task:task-1', '0-0')).map((e) => e.id);
    const got = [...seen, ...resumed.events.filter((e) => e.id !== undefined && e.event !== 'connected').map((e) => e.id!)];
    expect(got).toEqual(all);
  });

  it('a frame larger than the budget still goes to a reader with nothing queued', async () => {
    const world = createWorld();
    const message = world.publisher.open('task-1');
    message.delta({ type: 'text', textDelta: 'B'.repeat(50_000) });
    await message.done();
    await world.publisher.updateTask('task-1', 'COMPLETED');
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock: world.clock, keepAliveMs: 0, maxBufferedBytes: 1_024 })).body!);
    await body.finished();
    expect(body.types).toEqual(['connected', 'delta', 'done', 'task_updated', 'end']);
  });
});

describe('decoded once for all readers', () => {
  it('two subscriptions that read the same entry object get the same decoded event', async () => {
    const world = createWorld();
    const message = world.publisher.open('task-1');
    message.delta({ type: 'text', textDelta: 'z'.repeat(100_000) });
    await message.done();
    const first = world.subscriber.open('task-1', { lastEventId: '0-0', limit: 1 });
    const second = world.subscriber.open('task-1', { lastEventId: '0-0', limit: 1 });
    const firstItem = async (items: AsyncIterable<SubscriptionItem>): Promise<SubscriptionItem | undefined> => {
      for await (const item of items) return item;
      return undefined;
    };
    const a = await firstItem(first);
    const b = await firstItem(second);
    expect(a!.event.type).toBe('delta');
    expect(b!.event).toBe(a!.event);
  });
});
