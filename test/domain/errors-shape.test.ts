// The shape of TaskStreamError (src/domain/errors.ts): code, details, is(), toJSON() and how the
// given secrets reach message, details and a TaskStreamError cause.
import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../src/domain/errors.js';
import { REDACTED } from '../../src/domain/redaction.js';

describe('TaskStreamError', () => {
  it('carries its name, code, message and empty details, and no cause unless given', () => {
    const err = new TaskStreamError('CLOSED', 'publisher closed');
    expect(err).toBeInstanceOf(Error);
    expect([err.name, err.code, err.message]).toEqual(['TaskStreamError', 'CLOSED', 'publisher closed']);
    expect(err.details).toEqual({});
    expect('cause' in err).toBe(false);
    expect(String(err)).toBe('TaskStreamError: publisher closed');
  });

  it('is() checks the class, and the code when one is given', () => {
    const err = new TaskStreamError('ABORTED', 'x');
    expect(TaskStreamError.is(err)).toBe(true);
    expect(TaskStreamError.is(err, 'ABORTED')).toBe(true);
    expect(TaskStreamError.is(err, 'CLOSED')).toBe(false);
    expect(TaskStreamError.is(Object.assign(new Error('x'), { code: 'ABORTED' }), 'ABORTED')).toBe(false);
    expect(TaskStreamError.is(undefined)).toBe(false);
  });

  it('toJSON gives name, code, message, details and the names and messages of at most 8 causes', () => {
    let cause: Error = new RangeError('root');
    for (let i = 0; i < 10; i++) cause = new Error(`c${i}`, { cause });
    const err = new TaskStreamError('PUBLISH_FAILED', 'append failed', { cause: new TaskStreamError('BACKEND_COMMAND', 'ERR', { cause }), details: { topic: 'task:1' } });
    const json = JSON.parse(JSON.stringify(err)) as { causes: { name: string; message: string }[] };
    expect(json).toMatchObject({ name: 'TaskStreamError', code: 'PUBLISH_FAILED', message: 'append failed', details: { topic: 'task:1' } });
    expect(json.causes).toEqual([{ name: 'TaskStreamError', message: 'ERR' }, ...[9, 8, 7, 6, 5, 4, 3].map((i) => ({ name: 'Error', message: `c${i}` }))]);
  });

  it('toJSON has no causes key without an error cause', () => {
    expect(new TaskStreamError('CLOSED', 'x').toJSON()).toEqual({ name: 'TaskStreamError', code: 'CLOSED', message: 'x', details: {} });
    expect(new TaskStreamError('ABORTED', 'x', { cause: 'reason' }).toJSON()).not.toHaveProperty('causes');
  });
});

describe('secrets given to a TaskStreamError', () => {
  it('are redacted from the message; missing, empty and short ones are ignored', () => {
    expect(new TaskStreamError('BACKEND_AUTH', 'token tok_123 refused', { secrets: [undefined, '', 'tok_123'] }).message).toBe(`token ${REDACTED} refused`);
    expect(new TaskStreamError('BACKEND_AUTH', 'ab refused', { secrets: ['ab', undefined] }).message).toBe('ab refused');
  });

  it('redact string details, turn a non-string detail holding one into redacted JSON text, and keep the others as they are', () => {
    const attempts = { count: 3 };
    const err = new TaskStreamError('BACKEND_AUTH', 'x', { details: { url: 'redis://:tok_123@h', body: { echo: 'tok_123' }, attempts, n: 1 }, secrets: ['tok_123'] });
    expect(err.details['url']).toBe(`redis://:${REDACTED}@h`);
    expect(err.details['body']).toBe(`{"echo":"${REDACTED}"}`);
    expect(err.details['attempts']).toBe(attempts);
    expect(err.details['n']).toBe(1);
  });

  it('leave details without a secret as the very object given', () => {
    const details = { topic: 't' };
    expect(new TaskStreamError('PUBLISH_FAILED', 'x', { details, secrets: ['tok_123'] }).details).toBe(details);
    expect(new TaskStreamError('PUBLISH_FAILED', 'x', { details }).details).toBe(details);
  });

  it('keep a clean TaskStreamError cause as is, even nested, and rebuild one that holds a secret, stack redacted', () => {
    const clean = new TaskStreamError('BACKEND_UNAVAILABLE', 'down', { cause: new TaskStreamError('CLOSED', 'closed') });
    expect(new TaskStreamError('PUBLISH_FAILED', 'x', { cause: clean, secrets: ['tok_123'] }).cause).toBe(clean);
    const dirty = new TaskStreamError('BACKEND_AUTH', 'bad tok_123', { details: { n: 1 } });
    const outer = new TaskStreamError('PUBLISH_FAILED', 'x', { cause: dirty, secrets: ['tok_123'] });
    const copy = outer.cause as TaskStreamError;
    expect(copy).not.toBe(dirty);
    expect(copy).toBeInstanceOf(TaskStreamError);
    expect([copy.code, copy.message, copy.details]).toEqual(['BACKEND_AUTH', `bad ${REDACTED}`, { n: 1 }]);
    expect(copy.stack).toContain(`bad ${REDACTED}`);
    expect(copy.stack).not.toContain('tok_123');
    expect(Object.getOwnPropertyDescriptor(copy, 'stack')).toMatchObject({ writable: true, configurable: true });
  });

  it('search a detail holding a bigint or a cycle: kept as given without a secret, redacted JSON text with one', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic['self'] = cyclic;
    const clean = { size: 10n, cyclic };
    const kept = new TaskStreamError('INVALID_ARGUMENT', 'x', { details: clean, secrets: ['tok_123'] });
    expect(kept.details).toBe(clean);
    const dirty = new TaskStreamError('INVALID_ARGUMENT', 'x', { details: { value: { size: 10n, token: 'tok_123' }, cyclic: { ...cyclic, token: 'tok_123' } }, secrets: ['tok_123'] });
    expect(dirty.details['value']).toBe(`{"size":"10","token":"${REDACTED}"}`);
    expect(dirty.details['cyclic']).toBe(`{"name":"a","self":{"name":"a","self":"[Circular]"},"token":"${REDACTED}"}`);
  });

  it('keep a TaskStreamError cause as is when no secrets are given', () => {
    const dirty = new TaskStreamError('BACKEND_AUTH', 'bad tok_123');
    expect(new TaskStreamError('PUBLISH_FAILED', 'x', { cause: dirty }).cause).toBe(dirty);
  });

  it('rebuild a cause whose secret sits only in its stack', () => {
    const inner = new TaskStreamError('BACKEND_AUTH', 'refused');
    Object.defineProperty(inner, 'stack', { value: 'TaskStreamError: refused\n    at connect (redis://:tok_123@h)', configurable: true, writable: true });
    const copy = new TaskStreamError('PUBLISH_FAILED', 'x', { cause: inner, secrets: ['tok_123'] }).cause as Error;
    expect(copy).not.toBe(inner);
    expect(copy.stack).toBe(`TaskStreamError: refused\n    at connect (redis://:${REDACTED}@h)`);
  });
});
