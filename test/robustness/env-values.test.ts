import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/container.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import { leaks } from '../helpers/secret-audit.js';
import { silentLogger } from '../helpers/silent-logger.js';

function rejected(env: Record<string, string>): TaskStreamError {
  try {
    configFromEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(TaskStreamError);
    return err as TaskStreamError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('hostile environment values: one INVALID_CONFIG naming the variable, never the secret', () => {
  it.each<[Record<string, string>, string]>([
    [{ REDIS_STREAM_MAXLEN: '99999999999999999999' }, 'REDIS_STREAM_MAXLEN'],
    [{ REDIS_STREAM_MAXLEN: '0x10' }, 'REDIS_STREAM_MAXLEN'],
    [{ REDIS_STREAM_TTL_SECONDS: 'Infinity' }, 'REDIS_STREAM_TTL_SECONDS'],
    [{ TASKSTREAM_FLUSH_INTERVAL_MS: '0' }, 'TASKSTREAM_FLUSH_INTERVAL_MS'],
    [{ TASKSTREAM_MAX_BUFFERED_CHARS: '1\u00002' }, 'TASKSTREAM_MAX_BUFFERED_CHARS'],
    [{ TASKSTREAM_MAX_ENTRY_BYTES: '10' }, 'TASKSTREAM_MAX_ENTRY_BYTES'],
    [{ TASKSTREAM_COALESCE: 'fast' }, 'TASKSTREAM_COALESCE'],
    [{ TASKSTREAM_KEY_PREFIX: 'task:{x}' }, 'TASKSTREAM_KEY_PREFIX'],
    [{ TASKSTREAM_BACKEND: 'redis\nupstash' }, 'TASKSTREAM_BACKEND'],
    [{ TASKSTREAM_BACKEND: 'redis', REDIS_URL: 'redis://:hunter22@host:99999999' }, 'REDIS_URL'],
    [{ TASKSTREAM_BACKEND: 'redis', REDIS_URL: 'https://:hunter22@host' }, 'REDIS_URL'],
    [{ TASKSTREAM_BACKEND: 'upstash', UPSTASH_REDIS_REST_URL: 'redis://:hunter22@x', UPSTASH_REDIS_REST_TOKEN: 'hunter22' }, 'UPSTASH_REDIS_REST_URL'],
    [{ TASKSTREAM_BACKEND: 'upstash', UPSTASH_REDIS_REST_URL: 'https://x', UPSTASH_REDIS_REST_TOKEN: '   ' }, 'UPSTASH_REDIS_REST_TOKEN'],
  ])('%j → INVALID_CONFIG naming %s', (env, variable) => {
    const err = rejected(env);
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.details['variable']).toBe(variable);
    expect(err.message).toContain(variable);
    expect(leaks(err, ['hunter22'])).toEqual([]);
  });
});

describe('TASKSTREAM_MAX_ENTRY_BYTES reaches the container publisher', () => {
  it('a container built from the environment refuses a full larger than the limit', async () => {
    const { createContainer } = await import('../../src/container.js');
    const ts = await createContainer(configFromEnv({ TASKSTREAM_MAX_ENTRY_BYTES: '1024' }), { logger: silentLogger });
    try {
      expect(ts.publisher.settings.maxEntryBytes).toBe(1024);
      const message = ts.publisher.open('big');
      const err = await message.full({ type: 'text', author: 'agent', content: 'x'.repeat(4096) }).catch((e: unknown) => e);
      expect(TaskStreamError.is(err, 'INVALID_ARGUMENT')).toBe(true);
      expect((err as TaskStreamError).message).toContain('TASKSTREAM_MAX_ENTRY_BYTES');
      await message.close();
    } finally {
      await ts.close();
    }
  });
});
