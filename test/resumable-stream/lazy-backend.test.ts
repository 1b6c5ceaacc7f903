// The environment path loads the backend the environment names, lazily: on memory no Redis client.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeSharedRepositories, createResumableStreamContext } from 'taskstream/resumable-stream';
import { readAll, sourceOf } from './support.js';

vi.mock('ioredis', () => {
  throw new Error('ioredis was loaded');
});
vi.mock('@upstash/redis', () => {
  throw new Error('@upstash/redis was loaded');
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

afterEach(async () => {
  vi.unstubAllEnvs();
  await closeSharedRepositories();
});

describe('the backend from the environment', () => {
  it('TASKSTREAM_BACKEND=memory: contexts made per request share one backend, and no Redis client is loaded', async () => {
    vi.stubEnv('TASKSTREAM_BACKEND', 'memory');
    const writer = createResumableStreamContext({ waitUntil: null, logger: silent });
    await readAll((await writer.createNewResumableStream('env-s', sourceOf(['a', 'b'])))!);
    const reader = createResumableStreamContext({ waitUntil: null, logger: silent, replayFinished: true });
    expect(await readAll((await reader.resumeExistingStream('env-s'))!)).toBe('ab');
  });

  it('TASKSTREAM_BACKEND=redis loads ioredis (so the check above can fail); a bad setting is INVALID_CONFIG', async () => {
    vi.stubEnv('TASKSTREAM_BACKEND', 'redis');
    vi.stubEnv('REDIS_URL', 'redis://127.0.0.1:1');
    const context = createResumableStreamContext({ waitUntil: null, logger: silent });
    const err = (await context.hasExistingStream('x').then(() => undefined, (e: unknown) => e)) as Error & { cause?: Error };
    expect(`${err?.message} ${err?.cause?.message ?? ''}`).toContain('ioredis was loaded');
    vi.stubEnv('TASKSTREAM_BACKEND', 'nope');
    await expect(createResumableStreamContext({ waitUntil: null, logger: silent }).hasExistingStream('x')).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});
