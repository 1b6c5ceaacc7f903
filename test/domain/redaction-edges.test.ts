// Edges of secret redaction (src/domain/redaction.ts), through the exported helpers and the cause
// a TaskStreamError keeps.
import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../src/domain/errors.js';
import { REDACTED, containsSecret, redactSecrets, redactUrl, secretVariants, urlSecrets } from '../../src/domain/redaction.js';

describe('redactSecrets and secretVariants', () => {
  it('searches secrets of 3 characters or more, every occurrence', () => {
    expect(redactSecrets('ab abc ab abc', ['ab'])).toBe('ab abc ab abc');
    expect(redactSecrets('ab abc ab abc', ['abc'])).toBe(`ab ${REDACTED} ab ${REDACTED}`);
    expect(containsSecret('xx abc', ['abc'])).toBe(true);
    expect(containsSecret('xx ab', ['abc'])).toBe(false);
    expect(containsSecret('as written: p@ss"wd', ['p@ss"wd'])).toBe(true);
    expect(containsSecret('encoded: p%40ss%22wd', ['p@ss"wd'])).toBe(true);
  });

  it('replaces a secret that contains another one whole (longest first)', () => {
    expect(redactSecrets('user:hunter22', ['hunter', 'user:hunter22'])).toBe(REDACTED);
    expect(redactSecrets('user:hunter22', ['user:hunter22', 'hunter'])).toBe(REDACTED);
  });

  it('drops a decoded form shorter than 3 characters, and keeps text a bad percent-escape would break', () => {
    expect(redactSecrets('AB and %41%42', ['%41%42'])).toBe(`AB and ${REDACTED}`);
    expect(redactSecrets('100%zz 100%25zz', ['100%zz'])).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('lists each form once, longest first', () => {
    const variants = secretVariants(['a"b/c']);
    expect(variants).toEqual(['a%22b%2Fc', 'a\\"b/c', 'a"b/c']);
    expect(secretVariants([undefined, 'xy', 'abc'])).toEqual(['abc']);
  });
});

describe('urlSecrets', () => {
  it('finds nothing in no URL, an empty one or one without credentials', () => {
    expect(urlSecrets(undefined)).toEqual([]);
    expect(urlSecrets('')).toEqual([]);
    expect(urlSecrets('redis://cache:6379/0')).toEqual([]);
    expect(urlSecrets('redis://@cache:6379')).toEqual([]);
  });

  it('takes nothing for an empty password or an empty secret query value', () => {
    expect(urlSecrets('redis://admin:@cache:6379')).toEqual(['']);
    expect(urlSecrets('redis://cache:6379?password=&db=1')).toEqual([]);
  });

  it('takes a user-info without a colon whole (a token used as the user name)', () => {
    expect(urlSecrets('https://tok_abc123@host.example')).toEqual(['tok_abc123']);
  });

  it('takes the password, the whole user-info, and the decoded password', () => {
    expect(urlSecrets('redis://admin:p%40ss@cache:6379')).toEqual(['p%40ss', 'admin:p%40ss', 'p%40ss', 'p@ss']);
  });

  it('takes the values of password-, token-, secret-, auth- and key-like query parameters, encoded and decoded', () => {
    const url = 'rediss://cache?db=1&password=pw%21one;api_token=t2&client_secret=s3&AUTH=a4&apikey=k5&name=plain';
    expect(urlSecrets(url)).toEqual(['pw%21one', 'pw!one', 't2', 't2', 's3', 's3', 'a4', 'a4', 'k5', 'k5']);
  });

  it('still finds the password of a URL that does not parse', () => {
    expect(urlSecrets('redis://:pa ss@host:99999999')).toEqual(['pa ss', ':pa ss']);
  });
});

describe('redactUrl', () => {
  it('replaces the whole user-info and secret query values, and leaves the rest', () => {
    expect(redactUrl('redis://admin:pw@cache:6379/0?db=1&token=t1#frag')).toBe(`redis://${REDACTED}@cache:6379/0?db=1&token=${REDACTED}#frag`);
    expect(redactUrl('redis://@cache')).toBe('redis://@cache');
    expect(redactUrl('cache:6379')).toBe('cache:6379');
    expect(redactUrl('redis://a@b@cache')).toBe(`redis://${REDACTED}@cache`);
    expect(redactUrl('admin:pw@cache')).toBe('admin:pw@cache');
    expect(redactUrl('://admin:pw@cache')).toBe(`://${REDACTED}@cache`);
  });
});

describe('the cause a TaskStreamError keeps', () => {
  const wrap = (cause: unknown, secrets: string[] = ['hunter22']) => new TaskStreamError('BACKEND_UNAVAILABLE', 'failed', { cause, secrets }).cause;

  it('keeps null, numbers and booleans as they are and redacts a string', () => {
    expect(new TaskStreamError('ABORTED', 'x', { cause: null }).cause).toBeNull();
    expect(wrap(42)).toBe(42);
    expect(wrap(false)).toBe(false);
    expect(wrap('bad hunter22')).toBe(`bad ${REDACTED}`);
  });

  it('turns a plain object into its JSON text, cut at 500 characters, and an unprintable one into its tag', () => {
    expect(wrap({ a: 'hunter22' })).toBe(`{"a":"${REDACTED}"}`);
    const long = wrap({ text: 'x'.repeat(600) }) as string;
    expect(long).toHaveLength(501);
    expect(long.endsWith('…')).toBe(true);
    expect(wrap({ text: 'x'.repeat(489) })).toBe(JSON.stringify({ text: 'x'.repeat(489) }));
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(wrap(cyclic)).toBe('[object Object]');
  });

  it('turns a thrown function into its redacted source text', () => {
    const thrown = function reason() {
      return 'hunter22';
    };
    const copy = wrap(thrown);
    expect(typeof copy).toBe('string');
    expect(copy).toContain(REDACTED);
    expect(copy).not.toContain('hunter22');
  });

  it('keeps the built-in class, and a plain Error with the original name for anything else', () => {
    for (const Ctor of [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
      const copy = wrap(new Ctor('m')) as Error;
      expect(Object.getPrototypeOf(copy)).toBe(Ctor.prototype);
    }
    class ReplyError extends TypeError {
      override name = 'ReplyError';
    }
    const copy = wrap(new ReplyError('WRONGPASS')) as Error;
    expect(Object.getPrototypeOf(copy)).toBe(Error.prototype);
    expect(copy.name).toBe('ReplyError');
    expect(Object.keys(copy)).toEqual([]);
    expect(Object.getOwnPropertyDescriptor(copy, 'name')).toMatchObject({ value: 'ReplyError', writable: true, configurable: true, enumerable: false });
  });

  it('keeps code, errno, syscall, address, port and status (strings redacted), and drops the rest', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
      address: 'hunter22.internal',
      port: 6379,
      status: 503,
      options: { password: 'hunter22' },
      flag: true,
    });
    expect({ ...(wrap(err) as object) }).toEqual({ code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: `${REDACTED}.internal`, port: 6379, status: 503 });
    expect({ ...(wrap(Object.assign(new Error('x'), { code: { nested: 1 } })) as object) }).toEqual({});
  });

  it('redacts the name and stack, and builds a stack when there is none', () => {
    const err = new Error('m hunter22');
    err.name = 'Err hunter22';
    const copy = wrap(err) as Error;
    expect(copy.name).toBe(`Err ${REDACTED}`);
    expect(copy.stack).not.toContain('hunter22');
    copy.stack = 'reassigned by a logger';
    expect(copy.stack).toBe('reassigned by a logger');
    expect(Object.getOwnPropertyDescriptor(copy, 'stack')).toMatchObject({ configurable: true });
    const bare = new Error('bare');
    Object.defineProperty(bare, 'stack', { value: undefined });
    expect((wrap(bare) as Error).stack).toBe('Error: bare');
  });

  it('copies an error without a cause without one, and keeps a cause chain of 8 errors, not 9', () => {
    expect('cause' in (wrap(new Error('alone')) as Error)).toBe(false);
    let chain: Error = new Error('0');
    for (let i = 1; i <= 9; i++) chain = new Error(String(i), { cause: chain });
    const messages: string[] = [];
    for (let c: unknown = wrap(chain); c instanceof Error; c = c.cause) messages.push(c.message);
    expect(messages).toEqual(['9', '8', '7', '6', '5', '4', '3', '2']);
  });

  it('keeps the first 16 errors of an AggregateError, each copied', () => {
    const many = new AggregateError(Array.from({ length: 20 }, (_v, i) => new Error(`e${i} hunter22`)), 'all failed');
    const copy = wrap(many) as Error & { errors: Error[] };
    expect(copy.errors).toHaveLength(16);
    expect(copy.errors[15]!.message).toBe(`e15 ${REDACTED}`);
    const deep = new AggregateError([new Error('inner')], 'x');
    let chain: Error = deep;
    for (let i = 0; i < 7; i++) chain = new Error(`w${i}`, { cause: chain });
    let last: unknown = wrap(chain);
    for (let i = 0; i < 7; i++) last = (last as Error).cause;
    expect((last as { errors: unknown[] }).errors).toEqual([undefined]);
  });
});
