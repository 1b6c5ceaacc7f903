import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configFromEnv, validateConfig } from '../../src/container.js';
import { toTaskStreamError } from '../../src/adapters/ioredis/errors.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import { REDACTED, redactSecrets, redactUrl, urlSecrets } from '../../src/domain/redaction.js';
import { leaks } from '../helpers/secret-audit.js';

describe('redactSecrets', () => {
  it('replaces a secret as given, percent-encoded, percent-decoded and JSON-escaped', () => {
    const secret = 'p@ss"w/rd%41';
    const text = `a ${secret} b ${encodeURIComponent(secret)} c ${decodeURIComponent(secret)} d ${JSON.stringify(secret)}`;
    const out = redactSecrets(text, [secret]);
    expect(out).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED} d "${REDACTED}"`);
  });

  it('ignores missing and very short secrets', () => {
    expect(redactSecrets('abc', [undefined, '', 'a'])).toBe('abc');
  });
});

describe('urlSecrets and redactUrl', () => {
  it('find the password of a good URL, the user-info of a malformed one and token-like query values', () => {
    expect(urlSecrets('redis://user:p%40ss@host:6379/0')).toEqual(expect.arrayContaining(['p%40ss', 'p@ss']));
    expect(urlSecrets('redis://:pa ss@host:99999999')).toContain('pa ss');
    expect(urlSecrets('rediss://host:6379?password=hunter22&db=1')).toContain('hunter22');
  });

  it('print a URL without its user-info or secret query values, parsed or not', () => {
    expect(redactUrl('redis://user:p%40ss@host:6379/0')).toBe(`redis://${REDACTED}@host:6379/0`);
    expect(redactUrl('redis://:a/b@c@host:1')).toBe(`redis://${REDACTED}@host:1`);
    expect(redactUrl('rediss://host?password=hunter22&db=1')).toBe(`rediss://host?password=${REDACTED}&db=1`);
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('TaskStreamError keeps a sanitized copy of its cause', () => {
  it('drops the URL TypeError input and keeps class, name, message and code', () => {
    let typeError: unknown;
    try {
      new URL('redis://:hunter22@host:99999999');
    } catch (err) {
      typeError = err;
    }
    expect((typeError as { input?: string }).input).toContain('hunter22');
    const err = new TaskStreamError('INVALID_CONFIG', 'REDIS_URL: not a URL', { cause: typeError });
    expect(err.cause).toBeInstanceOf(TypeError);
    expect(err.cause).toMatchObject({ message: 'Invalid URL', code: 'ERR_INVALID_URL' });
    expect(leaks(err, ['hunter22'])).toEqual([]);
  });

  it('drops command args (an ioredis AUTH) and keeps the original name', () => {
    class ReplyError extends Error {
      override name = 'ReplyError';
      command = { name: 'hello', args: ['3', 'AUTH', 'default', 'hunter22'] };
    }
    const err = new TaskStreamError('BACKEND_AUTH', 'redis get failed', { cause: new ReplyError('WRONGPASS invalid username-password pair') });
    expect(err.cause).toMatchObject({ name: 'ReplyError', message: 'WRONGPASS invalid username-password pair' });
    expect(leaks(err, ['hunter22'])).toEqual([]);
  });

  it('the ioredis mapping also redacts the password its AUTH/HELLO command sent, should a reply echo it', () => {
    const reply = Object.assign(new Error('WRONGPASS for hunter22'), { name: 'ReplyError', command: { name: 'hello', args: ['3', 'AUTH', 'default', 'hunter22'] } });
    const err = toTaskStreamError(reply, 'get');
    expect(err.code).toBe('BACKEND_AUTH');
    expect(err.message).toBe(`redis get failed: WRONGPASS for ${REDACTED}`);
    expect(leaks(err, ['hunter22'])).toEqual([]);
    const auth = Object.assign(new Error('ERR hunter22'), { name: 'ReplyError', command: { name: 'auth', args: ['user', 'hunter22'] } });
    expect(leaks(toTaskStreamError(auth, 'get'), ['hunter22'])).toEqual([]);
  });

  it('redacts the given secrets in the message, details and every cause down the chain', () => {
    const inner = new Error('proxy said: bad token tok_secret_1', { cause: new Error(`raw ${JSON.stringify({ auth: 'Bearer tok_secret_1' })}`) });
    const err = new TaskStreamError('BACKEND_AUTH', 'upstash get failed: tok_secret_1', { cause: inner, details: { body: 'tok_secret_1' }, secrets: ['tok_secret_1'] });
    expect(err.message).toBe(`upstash get failed: ${REDACTED}`);
    expect(err.details['body']).toBe(REDACTED);
    expect((err.cause as Error).message).toBe(`proxy said: bad token ${REDACTED}`);
    expect(leaks(err, ['tok_secret_1'])).toEqual([]);
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ code: 'BACKEND_AUTH', causes: [{ message: `proxy said: bad token ${REDACTED}` }, { name: 'Error' }] });
  });

  it('keeps a TaskStreamError cause as is, unless it carries one of the new secrets', () => {
    const clean = new TaskStreamError('BACKEND_UNAVAILABLE', 'down');
    expect(new TaskStreamError('PUBLISH_FAILED', 'x', { cause: clean, secrets: ['hunter22'] }).cause).toBe(clean);
    const dirty = new TaskStreamError('BACKEND_AUTH', 'token hunter22 refused');
    const outer = new TaskStreamError('PUBLISH_FAILED', 'x', { cause: dirty, secrets: ['hunter22'] });
    expect(TaskStreamError.is(outer.cause, 'BACKEND_AUTH')).toBe(true);
    expect(leaks(outer, ['hunter22'])).toEqual([]);
  });

  it('turns a thrown plain object into its redacted text', () => {
    const err = new TaskStreamError('ABORTED', 'aborted', { cause: { headers: { authorization: 'Bearer hunter22' } }, secrets: ['hunter22'] });
    expect(typeof err.cause).toBe('string');
    expect(leaks(err, ['hunter22'])).toEqual([]);
  });
});

describe('the container config prints without secrets and stays usable', () => {
  it('redacts the Redis password and the Upstash token in JSON, inspect and String', () => {
    const redis = configFromEnv({ TASKSTREAM_BACKEND: 'redis', REDIS_URL: 'redis://admin:hunter22@10.0.0.1:6379/2' });
    expect(redis.backend).toEqual({ kind: 'redis', url: 'redis://admin:hunter22@10.0.0.1:6379/2' });
    expect(JSON.stringify(redis)).toContain(`"url":"redis://${REDACTED}@10.0.0.1:6379/2"`);
    expect(inspect(redis)).toContain(`redis://${REDACTED}@10.0.0.1:6379/2`);
    expect(leaks(redis, ['hunter22'])).toEqual([]);
    const upstash = validateConfig({ backend: { kind: 'upstash', url: 'https://x.upstash.io', token: 'tok_hunter22' } });
    expect(upstash.backend.kind === 'upstash' && upstash.backend.token).toBe('tok_hunter22');
    expect({ ...upstash.backend }).toEqual({ kind: 'upstash', url: 'https://x.upstash.io', token: 'tok_hunter22' });
    expect(leaks(upstash, ['tok_hunter22'])).toEqual([]);
    expect(leaks(upstash.backend, ['tok_hunter22'])).toEqual([]);
  });
});

describe('the container logger', () => {
  it('redacts the backend secrets from every message and field the container services log', async () => {
    const { createContainer, TYPES } = await import('../../src/container.js');
    const { recordingLogger } = await import('../helpers/secret-audit.js');
    const logger = recordingLogger();
    const ts = await createContainer(configFromEnv({ TASKSTREAM_BACKEND: 'redis', REDIS_URL: 'redis://:hunter22@127.0.0.1:1' }), { logger });
    try {
      const bound = ts.container.get(TYPES.Logger);
      bound.warn('echoed hunter22', { error: new Error('auth hunter22'), nested: { deeper: ['hunter22'] }, count: 1 });
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toContain(`echoed ${REDACTED}`);
      expect(logger.lines[0]).toContain('count');
      expect(leaks(logger.lines, ['hunter22'])).toEqual([]);
    } finally {
      await ts.close();
    }
  });
});
