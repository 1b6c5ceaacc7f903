import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv, createContainer } from '../../src/container.js';
import { startUpstashStack, type UpstashStack } from '../upstash-server/stack.js';
import { SseBody } from '../adapters/http/sse-helpers.js';

import { silentLogger as silent } from '../helpers/silent-logger.js';

describe('createContainer (upstash, local REST server on a real redis-server)', () => {
  let stack: UpstashStack;
  beforeAll(async () => {
    stack = await startUpstashStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('binds the Upstash backend from the environment; SSE replays a finished task over it', async () => {
    const config = configFromEnv({
      TASKSTREAM_BACKEND: 'upstash',
      UPSTASH_REDIS_REST_URL: stack.server.url,
      UPSTASH_REDIS_REST_TOKEN: stack.server.token,
      TASKSTREAM_KEY_PREFIX: `c${Date.now()}:`,
    });
    const ts = await createContainer(config, { logger: silent, sse: { keepAliveMs: 0 } });
    try {
      expect(ts.repository.capabilities.blockingReads).toBe(true); // held XREAD … BLOCK requests (readMode 'auto')
      const message = ts.publisher.open('task-1');
      for (const token of ['over ', 'rest']) message.delta({ type: 'text', textDelta: token });
      await message.done();
      await ts.publisher.updateTask('task-1', 'COMPLETED');
      const body = new SseBody((await ts.sse.handle(new Request('http://x/e'), 'task-1')).body!);
      await body.finished();
      expect(body.types.filter((t) => t !== 'delta')).toEqual(['connected', 'done', 'task_updated', 'end']);
      expect(body.data('delta').map((d) => (d as { delta: { textDelta: string } }).delta.textDelta).join('')).toBe('over rest');
    } finally {
      await ts.close();
    }
  });

  it('a wrong token surfaces as a typed BACKEND_AUTH error, never the token', async () => {
    const ts = await createContainer(
      { backend: { kind: 'upstash', url: stack.server.url, token: 'wrong-token-123' } },
      { logger: silent },
    );
    try {
      const err = await ts.repository.tailId('task:x').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BACKEND_AUTH' });
      expect(String((err as Error).message)).not.toContain('wrong-token-123');
    } finally {
      await ts.close();
    }
  });
});
