// Issue 8 item 6 on a real redis-server: a key of the wrong type, and an unreachable backend.
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sseResponse } from '../../../src/adapters/http/index.js';
import { createIoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';
import { createSubscriber } from '../../../src/defaults.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { SseBody, sseRequest } from './sse-helpers.js';

import { silentLogger as silent } from '../../helpers/silent-logger.js';

describe('SSE on ioredis', () => {
  let server: TestRedis;
  beforeAll(async () => {
    server = await startRedis();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('a key of the wrong type under the prefix (WRONGTYPE) ends the stream with one terminal error event, without the backend text', async () => {
    const client = new Redis(server.url);
    const repository = createIoredisRepository({ url: server.url, logger: silent });
    try {
      await client.set('task:wrong-type', 'not a stream');
      const subscriber = createSubscriber({ repository, clock: systemClock });
      const response = await sseResponse(subscriber, 'wrong-type', sseRequest('/e'), { keepAliveMs: 0 });
      expect(response.status).toBe(200);
      const body = new SseBody(response.body!);
      await body.finished();
      expect(body.types).toEqual(['error']);
      expect(body.data('error')).toEqual([expect.objectContaining({ code: 'BACKEND_COMMAND', terminal: true })]);
      expect(JSON.stringify(body.events)).not.toMatch(/WRONGTYPE|wrong kind/i);
    } finally {
      client.disconnect();
      await repository.close();
    }
  }, 30_000);

  it('a backend that accepts connections but never answers gets 503 with Retry-After after connectTimeoutMs, not minutes later', async () => {
    // A black hole: the TCP connection opens, no reply ever comes (a hung proxy, a stopped VM).
    const sockets = new Set<import('node:net').Socket>();
    const hole = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    const { port } = hole.address() as AddressInfo;
    const repository = createIoredisRepository({ url: `redis://127.0.0.1:${port}`, logger: silent });
    try {
      const subscriber = createSubscriber({ repository, clock: systemClock, logger: silent });
      const response = await sseResponse(subscriber, 'task-1', sseRequest('/e'), { connectTimeoutMs: 500, keepAliveMs: 0 });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('BACKEND_UNAVAILABLE');
    } finally {
      await Promise.race([repository.close(), new Promise((r) => setTimeout(r, 1_000))]);
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => hole.close(r));
    }
  }, 15_000);
});
