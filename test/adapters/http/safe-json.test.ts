import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SSE_JSON_DEPTH, stringifyJson } from '../../../src/adapters/http/safe-json.js';
import { assertProperty } from './fc-run.js';

describe('stringifyJson (no recursion)', () => {
  it('writes exactly what JSON.stringify writes, for any JSON value and odd keys (property)', async () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', '', '\u2028', '\ud800'));
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
      node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    })).node;
    await assertProperty(
      fc.property(value, (v) => {
        expect(stringifyJson(v)).toBe(JSON.stringify(v) ?? 'null');
      }),
      300,
    );
  });

  it('honours toJSON and boxed primitives as JSON.stringify does', () => {
    const value = { at: new Date(0), n: Object(1) as unknown, s: Object('x') as unknown, f: () => 1, list: [undefined, () => 1] };
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
  });

  it('refuses nesting past the limit with DECODE_FAILED instead of overflowing the stack, however deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => stringifyJson(deep)).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
    let ok: unknown = 1;
    for (let i = 0; i < MAX_SSE_JSON_DEPTH; i++) ok = [ok];
    expect(stringifyJson(ok)).toBe(JSON.stringify(ok));
  });

  it('refuses cycles and bigints with INVALID_ARGUMENT', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => stringifyJson(cycle)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => stringifyJson({ n: 1n })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const shared = { a: 1 };
    expect(stringifyJson([shared, shared])).toBe('[{"a":1},{"a":1}]');
  });
});
