import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstashRepository } from '../../src/adapters/upstash/index.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import { startHostileProxy, type HostileProxy, type ProxyMode } from '../helpers/hostile-proxy.js';
import { leaks, recordingLogger } from '../helpers/secret-audit.js';
import { startUpstashStack, type UpstashStack } from '../upstash-server/stack.js';

let stack: UpstashStack;
let proxy: HostileProxy;

beforeAll(async () => {
  stack = await startUpstashStack();
  proxy = await startHostileProxy(stack.server.url);
});
afterAll(async () => {
  await proxy?.close();
  await stack?.stop();
});

describe('Upstash answers that are not answers: each is a typed error, and nothing hangs', () => {
  it.each<[ProxyMode, string]>([
    ['html-500', 'BACKEND_UNAVAILABLE'],
    ['echo-500', 'BACKEND_UNAVAILABLE'],
    ['truncated', 'BACKEND_UNAVAILABLE'],
    ['not-json', 'BACKEND_UNAVAILABLE'],
    ['stall', 'BACKEND_UNAVAILABLE'],
    ['echo-401', 'BACKEND_AUTH'],
    ['echo-text', 'BACKEND_AUTH'],
  ])('%s → %s after bounded retries, without the token', { timeout: 20_000 }, async (mode, code) => {
    const logger = recordingLogger();
    const repo = createUpstashRepository({
      url: proxy.url,
      token: stack.server.token,
      logger,
      requestTimeoutMs: 300,
      retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    proxy.mode = mode;
    const before = proxy.requests;
    try {
      const err = await repo.tailId('task:robust').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(TaskStreamError);
      expect((err as TaskStreamError).code).toBe(code);
      // Transient failures are retried a bounded number of times; refused credentials are not retried.
      expect(proxy.requests - before).toBe(code === 'BACKEND_AUTH' ? 1 : 3);
      expect(leaks(err, [stack.server.token])).toEqual([]);
      expect(leaks(logger.lines, [stack.server.token])).toEqual([]);
      // The same repository works again once the backend does.
      proxy.mode = 'pass';
      expect(await repo.tailId('task:robust')).toBe('0-0');
    } finally {
      proxy.mode = 'pass';
      await repo.close();
    }
  });

  it('a token echoed to a user-supplied @upstash/redis client is redacted too', { timeout: 20_000 }, async () => {
    const logger = recordingLogger();
    const client = new Redis({ url: proxy.url, token: stack.server.token, retry: false });
    const repo = createUpstashRepository({ client, logger, retry: { retries: 0 } });
    proxy.mode = 'echo-401';
    try {
      const err = await repo.tailId('task:robust').then(() => undefined, (e: unknown) => e);
      expect(TaskStreamError.is(err)).toBe(true);
      expect(leaks(err, [stack.server.token])).toEqual([]);
      expect(leaks(logger.lines, [stack.server.token])).toEqual([]);
    } finally {
      proxy.mode = 'pass';
      await repo.close();
    }
  });
});
