import { describe, expect, it } from 'vitest';
import { configFromEnv, validateConfig } from '../../src/container.js';
import { DEFAULT_SETTINGS } from '../../src/domain/config.js';
import { TaskStreamError } from '../../src/domain/errors.js';

function configError(fn: () => unknown): TaskStreamError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TaskStreamError);
    expect((err as TaskStreamError).code).toBe('INVALID_CONFIG');
    return err as TaskStreamError;
  }
  throw new Error('expected INVALID_CONFIG');
}

describe('configFromEnv', () => {
  it('defaults to the memory backend with the production settings', () => {
    expect(configFromEnv({})).toEqual({ backend: { kind: 'memory' }, settings: DEFAULT_SETTINGS });
  });

  it('reads the redis and upstash backends and the retention settings', () => {
    const redis = configFromEnv({ TASKSTREAM_BACKEND: 'redis', REDIS_URL: 'redis://127.0.0.1:6380', REDIS_STREAM_MAXLEN: '500', REDIS_STREAM_TTL_SECONDS: '0', TASKSTREAM_KEY_PREFIX: 'agent:' });
    expect(redis.backend).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6380' });
    expect(redis.settings).toMatchObject({ maxLen: 500, ttlSeconds: 0, keyPrefix: 'agent:' });
    const upstash = configFromEnv({ TASKSTREAM_BACKEND: 'upstash', UPSTASH_REDIS_REST_URL: 'https://x.upstash.io', UPSTASH_REDIS_REST_TOKEN: 'secret' });
    expect(upstash.backend).toEqual({ kind: 'upstash', url: 'https://x.upstash.io', token: 'secret' });
  });

  it.each([
    [{ TASKSTREAM_BACKEND: 'mongo' }, 'TASKSTREAM_BACKEND'],
    [{ TASKSTREAM_BACKEND: 'redis' }, 'REDIS_URL'],
    [{ TASKSTREAM_BACKEND: 'redis', REDIS_URL: '  ' }, 'REDIS_URL'],
    [{ TASKSTREAM_BACKEND: 'redis', REDIS_URL: 'http://127.0.0.1' }, 'REDIS_URL'],
    [{ TASKSTREAM_BACKEND: 'redis', REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ TASKSTREAM_BACKEND: 'upstash', UPSTASH_REDIS_REST_TOKEN: 't' }, 'UPSTASH_REDIS_REST_URL'],
    [{ TASKSTREAM_BACKEND: 'upstash', UPSTASH_REDIS_REST_URL: 'https://x.upstash.io' }, 'UPSTASH_REDIS_REST_TOKEN'],
    [{ REDIS_STREAM_MAXLEN: '-1' }, 'REDIS_STREAM_MAXLEN'],
    [{ REDIS_STREAM_MAXLEN: '1.5' }, 'REDIS_STREAM_MAXLEN'],
    [{ REDIS_STREAM_TTL_SECONDS: 'NaN' }, 'REDIS_STREAM_TTL_SECONDS'],
    [{ TASKSTREAM_KEY_PREFIX: 'a*' }, 'TASKSTREAM_KEY_PREFIX'],
    [{ TASKSTREAM_BAKEND: 'redis' }, 'TASKSTREAM_BAKEND'],
  ])('%j is rejected naming %s', (env, variable) => {
    const err = configError(() => configFromEnv(env));
    expect(err.details['variable']).toBe(variable);
    expect(err.message).toContain(variable);
  });

  it('never puts the Upstash token in an error', () => {
    const err = configError(() => configFromEnv({ TASKSTREAM_BACKEND: 'upstash', UPSTASH_REDIS_REST_URL: 'ftp://x', UPSTASH_REDIS_REST_TOKEN: 'hunter2' }));
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('hunter2');
  });

  it('validates a programmatic config the same way', () => {
    expect(configError(() => validateConfig({ backend: { kind: 'redis', url: '' } })).details['variable']).toBe('REDIS_URL');
    expect(configError(() => validateConfig({ backend: { kind: 'memory' }, settings: { ...DEFAULT_SETTINGS, maxLen: -5 } })).details['variable']).toBe('maxLen');
  });
});
