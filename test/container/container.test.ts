import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer, SseEndpoint, TYPES } from '../../src/container.js';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../src/adapters/memory/index.js';
import type { StreamRepository } from '../../src/ports/stream-repository.js';
import { startRedis, uniquePrefix, type TestRedis } from '../helpers/redis-server.js';
import { SseBody } from '../adapters/http/sse-helpers.js';

import { silentLogger as silent } from '../helpers/silent-logger.js';
import { wrapRepository } from '../../src/conformance/wrap-repository.js';

function closeSpy(inner: StreamRepository): StreamRepository & { closes: number } {
  const spy = Object.assign(
    wrapRepository(inner, {
      close: async () => {
        spy.closes++;
        await inner.close();
      },
    }),
    { closes: 0 },
  );
  return spy;
}

describe('createContainer (memory)', () => {
  it('binds the port and the services as singletons; publish and subscribe through them', async () => {
    const clock = new FakeClock();
    const ts = await createContainer({ backend: { kind: 'memory' } }, { clock, logger: silent });
    expect(ts.container.get(TYPES.StreamRepository)).toBe(ts.repository);
    expect(ts.publisher).toBe(ts.publisher);
    expect(ts.subscriber).toBe(ts.container.get(TYPES.Subscriber));
    const sub = ts.subscriber.open('task-1', { untilTerminal: true });
    await sub.ready;
    const message = ts.publisher.open('task-1');
    message.delta({ type: 'text', textDelta: 'hi' });
    await message.done();
    await ts.publisher.updateTask('task-1', 'COMPLETED');
    const types: string[] = [];
    for await (const item of sub) types.push(item.event.type);
    expect(types).toEqual(['delta', 'done', 'task_updated']);
    await ts.close();
  });

  it('closes the repository it created, once, and the publisher drains first', async () => {
    const ts = await createContainer({ backend: { kind: 'memory' } }, { logger: silent });
    const repository = ts.repository;
    const message = ts.publisher.open('task-1');
    message.delta({ type: 'text', textDelta: 'pending' });
    let tailBeforeClose = '';
    const originalClose = repository.close.bind(repository);
    repository.close = async () => {
      tailBeforeClose = await repository.tailId('task:task-1');
      await originalClose();
    };
    await Promise.all([ts.close(), ts.close()]);
    expect(tailBeforeClose).not.toBe('0-0'); // the message's delta and done were appended before the repository closed
    await expect(repository.tailId('task:task-1')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('leaves a repository it was given open', async () => {
    const given = closeSpy(createMemoryRepository());
    const ts = await createContainer({ backend: { kind: 'memory' } }, { repository: given, logger: silent });
    expect(ts.repository).toBe(given);
    ts.publisher.open('task-1').delta({ type: 'text', textDelta: 'x' });
    await ts.close();
    expect(given.closes).toBe(0);
    expect(await given.tailId('task:task-1')).not.toBe('0-0');
    await given.close();
  });

  it('serves SSE through the injectable SseEndpoint with the container settings', async () => {
    const ts = await createContainer({ backend: { kind: 'memory' }, settings: { keyPrefix: 'agent:' } as never }, { logger: silent, sse: { keepAliveMs: 0 } });
    expect(ts.sse).toBeInstanceOf(SseEndpoint);
    const message = ts.publisher.open('task-1');
    message.delta({ type: 'text', textDelta: 'hello' });
    await message.done();
    await ts.publisher.updateTask('task-1', 'COMPLETED');
    expect(await ts.repository.tailId('agent:task-1')).not.toBe('0-0');
    const body = new SseBody((await ts.sse.handle(new Request('http://x/e'), 'task-1')).body!);
    await body.finished();
    expect(body.types).toEqual(['connected', 'delta', 'done', 'task_updated', 'end']);
    expect((await ts.sse.handle(new Request('http://x/e'), 'a*')).status).toBe(400);
    await ts.close();
  });
});

describe('createContainer (redis, real redis-server)', () => {
  let redis: TestRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  const clients = async (): Promise<number> => ((await admin.client('LIST')) as string).trim().split('\n').length;

  it('opens ioredis connections only when used, serves SSE over Redis, and closes exactly those connections', async () => {
    const baseline = await clients();
    const prefix = uniquePrefix();
    const ts = await createContainer({ backend: { kind: 'redis', url: redis.url }, settings: { keyPrefix: prefix } as never }, { logger: silent });
    expect(await clients()).toBe(baseline); // nothing resolved yet, nothing opened
    const sub = ts.subscriber.open('task-1', { untilTerminal: true });
    await sub.ready;
    const message = ts.publisher.open('task-1');
    message.delta({ type: 'text', textDelta: 'over redis' });
    await message.done();
    await ts.publisher.updateTask('task-1', 'COMPLETED');
    const types: string[] = [];
    for await (const item of sub) types.push(item.event.type);
    expect(types).toEqual(['delta', 'done', 'task_updated']);
    expect(await clients()).toBeGreaterThan(baseline);
    const body = new SseBody((await ts.sse.handle(new Request('http://x/e'), 'task-1')).body!);
    await body.finished();
    expect(body.types).toEqual(['connected', 'delta', 'done', 'task_updated', 'end']);
    await ts.close();
    for (let i = 0; i < 50 && (await clients()) > baseline; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await clients()).toBe(baseline);
    expect(await admin.exists(`${prefix}task-1`)).toBe(1); // closing deletes nothing
  });
});
