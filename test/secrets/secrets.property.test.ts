import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInspect } from '../../src/cli/inspect.js';
import { createIoredisRepository } from '../../src/adapters/ioredis/index.js';
import { configFromEnv, createContainer } from '../../src/container.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import { assertWithSeed } from '../domain/publisher/fc-seed.js';
import { startHostileProxy, type HostileProxy, type ProxyMode } from '../helpers/hostile-proxy.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { leaks, recordingLogger } from '../helpers/secret-audit.js';
import { startUpstashStack, type UpstashStack } from '../upstash-server/stack.js';

const RIGHT_PASSWORD = 'the-right-password-0';
const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
/** Characters that mean something in a URL, a JSON string, a header or a shell. */
const SPECIAL = [...':@/?#[]%&=+"\\\'<>{}|^`~!$*;,.-_'];

/** A password or token of 12-28 characters, at least a third of them URL-special. */
const secretArb = fc
  .tuple(fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 8, maxLength: 16 }), fc.string({ unit: fc.constantFrom(...SPECIAL), minLength: 4, maxLength: 12 }))
  .chain(([plain, special]) => fc.shuffledSubarray([...plain, ...special], { minLength: plain.length + special.length }).map((chars) => chars.join('')))
  .filter((s) => s !== RIGHT_PASSWORD);

let redis: TestRedis;
let upstash: UpstashStack;
let proxy: HostileProxy;

beforeAll(async () => {
  redis = await startRedis({ args: ['--requirepass', RIGHT_PASSWORD] });
  upstash = await startUpstashStack();
  proxy = await startHostileProxy(upstash.server.url);
});
afterAll(async () => {
  await proxy?.close();
  await upstash?.stop();
  await redis?.stop();
});

function expectClean(what: string, value: unknown, secrets: readonly string[]): void {
  expect(leaks(value, secrets), what).toEqual([]);
}

async function rejection(promise: Promise<unknown>): Promise<TaskStreamError> {
  const err = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TaskStreamError);
  return err as TaskStreamError;
}

describe('no secret in any string form of an error, a log line or a config', () => {
  it('malformed REDIS_URL, wrong Redis password (repository, publisher, inspect), Upstash token echoed by a proxy, container config', { timeout: 180_000 }, async () => {
    const modes: ProxyMode[] = ['echo-401', 'echo-text', 'echo-500'];
    await assertWithSeed(
      'secrets never leak',
      fc.asyncProperty(secretArb, secretArb, fc.constantFrom(...modes), async (password, token, mode) => {
        const secrets = [password, encodeURIComponent(password), token];
        const logger = recordingLogger();

        // A malformed URL (bad port) carrying the password unencoded but for the characters that
        // would end the user-info: rejected, typed, and no cause keeps the URL as `input`.
        const raw = password.replace(/[/?#]/g, (c) => encodeURIComponent(c));
        const malformedUrl = `redis://:${raw}@127.0.0.1:99999999/0`;
        const rawSecrets = [password, raw];
        const malformed = await Promise.resolve()
          .then(() => configFromEnv({ TASKSTREAM_BACKEND: 'redis', REDIS_URL: malformedUrl }))
          .catch((e: unknown) => e);
        expect(TaskStreamError.is(malformed, 'INVALID_CONFIG')).toBe(true);
        expectClean('malformed REDIS_URL', malformed, rawSecrets);
        const direct = await Promise.resolve()
          .then(() => createIoredisRepository({ url: malformedUrl }))
          .catch((e: unknown) => e);
        expect(TaskStreamError.is(direct, 'INVALID_CONFIG')).toBe(true);
        expectClean('createIoredisRepository with a malformed url', direct, rawSecrets);
        const cli = await runInspect(['--url', malformedUrl], { stdout: new PassThrough(), stderr: new PassThrough(), env: {} }).catch((e: unknown) => e);
        expect(TaskStreamError.is(cli, 'INVALID_ARGUMENT')).toBe(true);
        expectClean('inspect with a malformed url', cli, rawSecrets);

        // A well-formed URL with the wrong password: the config prints redacted but stays usable.
        const url = `redis://:${encodeURIComponent(password)}@${redis.host}:${redis.port}`;
        const ts = await createContainer(configFromEnv({ TASKSTREAM_BACKEND: 'redis', REDIS_URL: url }), { logger, publisher: { retry: { maxAttempts: 1 } } });
        try {
          expect(ts.config.backend.kind === 'redis' && ts.config.backend.url).toBe(url);
          expectClean('redis container config', ts.config, secrets);
          const read = await rejection(ts.repository.tailId('task:secret'));
          expect(read.code).toBe('BACKEND_AUTH');
          expectClean('ioredis tailId error', read, secrets);
          const message = ts.publisher.open('secret');
          message.delta({ type: 'text', textDelta: 'x' });
          const published = await rejection(message.done());
          expect(published.code).toBe('PUBLISH_FAILED');
          expectClean('publisher error', published, secrets);
        } finally {
          await ts.close().catch(() => undefined);
        }

        const stdout = new PassThrough();
        const inspected = await rejection(runInspect(['--url', url], { stdout, stderr: new PassThrough(), env: {} }));
        expect(inspected.code).toBe('BACKEND_AUTH');
        expectClean('inspect error', inspected, secrets);

        // Upstash behind a proxy that echoes the Authorization header back in its answer.
        proxy.mode = mode;
        const tu = await createContainer(
          configFromEnv({ TASKSTREAM_BACKEND: 'upstash', UPSTASH_REDIS_REST_URL: proxy.url, UPSTASH_REDIS_REST_TOKEN: token }),
          { logger },
        );
        try {
          expect(tu.config.backend.kind === 'upstash' && tu.config.backend.token).toBe(token);
          expectClean('upstash container config', tu.config, secrets);
          const failed = await rejection(tu.repository.tailId('task:secret'));
          expect(failed.code).toBe(mode === 'echo-500' ? 'BACKEND_UNAVAILABLE' : 'BACKEND_AUTH');
          expectClean(`upstash ${mode} error`, failed, secrets);
        } finally {
          await tu.close().catch(() => undefined);
          proxy.mode = 'pass';
        }
        expectClean('log lines', logger.lines, secrets);
      }),
      12,
    );
  });
});
