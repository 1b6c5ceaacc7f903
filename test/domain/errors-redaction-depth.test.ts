import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../src/domain/errors.js';
import { REDACTED } from '../../src/domain/redaction.js';
import { leaks } from '../helpers/secret-audit.js';

const password = 'hunter2-deep';
const url = `redis://user:${password}@cache.internal:6379`;

/** `inner` wrapped in `levels` TaskStreamErrors built without secrets (a domain error around a library error). */
function wrapped(inner: unknown, levels: number): unknown {
  let err = inner;
  for (let i = 0; i < levels; i++) err = new TaskStreamError('BACKEND_UNAVAILABLE', `level ${i}`, { cause: err });
  return err;
}

describe('a TaskStreamError built with secrets leaks none of them, however deep they sit', () => {
  it.each([1, 7, 8, 9, 12, 30])('a secret %i TaskStreamErrors down the cause chain is redacted in every printed form', (levels) => {
    const err = new TaskStreamError('BACKEND_AUTH', 'redis get failed', { cause: wrapped(new Error(`connect ${url} refused`), levels), secrets: [password] });
    expect(leaks(err, [password])).toEqual([]);
    expect(TaskStreamError.is(err.cause, 'BACKEND_UNAVAILABLE')).toBe(true);
  });

  it('keeps the chain readable: the redacted message is still there at depth 9', () => {
    const err = new TaskStreamError('BACKEND_AUTH', 'redis get failed', { cause: wrapped(new Error(`connect ${url} refused`), 9), secrets: [password] });
    const messages: string[] = [];
    for (let c: unknown = err.cause; c instanceof Error; c = c.cause) messages.push(c.message);
    expect(messages.slice(0, 9)).toEqual(['level 8', 'level 7', 'level 6', 'level 5', 'level 4', 'level 3', 'level 2', 'level 1', 'level 0']);
    expect(messages.join('\n')).not.toContain(password);
  });

  it('redacts the details of a TaskStreamError nested below the first cause', () => {
    const inner = new TaskStreamError('INVALID_CONFIG', 'REDIS_URL refused', { details: { variable: 'REDIS_URL', value: url } });
    const err = new TaskStreamError('BACKEND_AUTH', 'connect failed', { cause: wrapped(inner, 2), secrets: [password] });
    expect(leaks(err, [password])).toEqual([]);
    let deepest: unknown = err;
    while (deepest instanceof Error && deepest.cause !== undefined) deepest = deepest.cause;
    expect(TaskStreamError.is(deepest, 'INVALID_CONFIG') && deepest.details['value']).toBe(`redis://user:${REDACTED}@cache.internal:6379`);
  });

  it('redacts the errors of an AggregateError inside a nested TaskStreamError', () => {
    const aggregate = new AggregateError([new Error('ok'), new Error(`dial ${url}`)], 'all attempts failed');
    const err = new TaskStreamError('BACKEND_UNAVAILABLE', 'connect failed', { cause: wrapped(aggregate, 1), secrets: [password] });
    expect(leaks(err, [password])).toEqual([]);
  });

  it('redacts a kept property (an error code) of a cause under a nested TaskStreamError', () => {
    const odd = Object.assign(new Error('refused'), { code: `E_${password}` });
    const err = new TaskStreamError('BACKEND_COMMAND', 'command failed', { cause: wrapped(odd, 1), secrets: [password] });
    expect(leaks(err, [password])).toEqual([]);
  });

  it('redacts details that JSON cannot print as they are (a bigint, an object met twice)', () => {
    const shared = { url };
    const err = new TaskStreamError('INVALID_CONFIG', 'bad', { details: { value: { url, size: 10n }, pair: [shared, shared] }, secrets: [password] });
    expect(leaks(err, [password])).toEqual([]);
    const nested = new TaskStreamError('BACKEND_AUTH', 'x', { cause: wrapped(new TaskStreamError('INVALID_CONFIG', 'bad', { details: { value: { url, size: 10n } } }), 1), secrets: [password] });
    expect(leaks(nested, [password])).toEqual([]);
  });

  it('redacts a thrown string (a non-error cause) under a nested TaskStreamError', () => {
    const err = new TaskStreamError('BACKEND_AUTH', 'x', { cause: wrapped(`dial ${url}`, 2), secrets: [password] });
    expect(leaks(err, [password])).toEqual([]);
  });

  it('redacts details holding a cycle or a null next to the secret', () => {
    const cyclic: Record<string, unknown> = { url };
    cyclic['self'] = cyclic;
    const err = new TaskStreamError('INVALID_CONFIG', 'bad', { details: { cyclic, none: null, value: url }, secrets: [password] });
    expect(err.details['value']).toBe(`redis://user:${REDACTED}@cache.internal:6379`);
    expect(err.details['none']).toBeNull();
    expect(leaks(err, [password])).toEqual([]);
    const nested = new TaskStreamError('BACKEND_AUTH', 'x', { cause: wrapped(new TaskStreamError('INVALID_CONFIG', 'bad', { details: { cyclic } }), 1), secrets: [password] });
    expect(leaks(nested, [password])).toEqual([]);
  });

  it('replaces a detail JSON cannot write (a throwing toJSON) when secrets are given, at any depth', () => {
    const odd = { url, toJSON: (): never => { throw new Error('no JSON'); } };
    const err = new TaskStreamError('INVALID_CONFIG', 'bad', { details: { odd, n: 1 }, secrets: [password] });
    expect(err.details).toEqual({ odd: '[unprintable]', n: 1 });
    expect(new TaskStreamError('INVALID_CONFIG', 'bad', { details: { odd } }).details['odd']).toBe(odd);
    const nested = new TaskStreamError('BACKEND_AUTH', 'x', { cause: wrapped(new TaskStreamError('INVALID_CONFIG', 'bad', { details: { odd } }), 1), secrets: [password] });
    expect(leaks(nested, [password])).toEqual([]);
  });

  it('rebuilds the same TaskStreamError again when it is wrapped a second time', () => {
    const dirty = new TaskStreamError('BACKEND_AUTH', `refused ${url}`);
    for (let i = 0; i < 2; i++) {
      const err = new TaskStreamError('PUBLISH_FAILED', 'x', { cause: dirty, secrets: [password] });
      expect(TaskStreamError.is(err.cause, 'BACKEND_AUTH')).toBe(true);
      expect(leaks(err, [password])).toEqual([]);
    }
  });

  it('ends on a cause cycle (a cause reassigned after construction) and leaks nothing', () => {
    const a = new TaskStreamError('BACKEND_UNAVAILABLE', `a ${url}`);
    const b = new TaskStreamError('BACKEND_UNAVAILABLE', 'b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b, configurable: true, writable: true });
    const err = new TaskStreamError('BACKEND_AUTH', 'x', { cause: b, secrets: [password] });
    expect(TaskStreamError.is(err.cause)).toBe(true);
    expect(String((err.cause as Error).cause)).not.toContain(password);
  });
});
