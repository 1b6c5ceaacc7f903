import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentexCodec } from '../../src/domain/codec/index.js';
import type { StreamEntry } from '../../src/ports/stream-repository.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import { checkProperty, taskEventArb } from '../fixtures/agentex/arbitraries.js';

interface MalformedCase {
  name: string;
  raw: Record<string, string>;
  reason: string;
}

const malformed = (
  JSON.parse(readFileSync(new URL('../fixtures/agentex/malformed.json', import.meta.url), 'utf8')) as { cases: MalformedCase[] }
).cases;

describe('agentexCodec.decode on malformed or foreign entries (malformed.json)', () => {
  it.each(malformed.map((c) => [c.name, c] as const))('%s becomes a decode_error', (_name, c) => {
    const result = agentexCodec.decode({ id: '42-7', fields: c.raw });
    expect(result.type).toBe('decode_error');
    if (result.type !== 'decode_error') return;
    expect(TaskStreamError.is(result.error, 'DECODE_FAILED')).toBe(true);
    expect(result.error.message).toContain(c.reason);
    expect(result.error.message).toContain('42-7');
    expect(result.error.details['entryId']).toBe('42-7');
    expect(result.error.cause).toBeInstanceOf(TaskStreamError);
    expect(result.raw).toStrictEqual(c.raw);
  });

  it('attaches the JSON parser error as the cause chain for bad JSON', () => {
    const result = agentexCodec.decode({ id: '1-0', fields: { data: '{oops' } });
    expect(result.type).toBe('decode_error');
    if (result.type !== 'decode_error') return;
    expect((result.error.cause as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('keeps the raw fields as a copy, including a field named __proto__', () => {
    const fields = JSON.parse('{"__proto__": "x", "other": "y"}') as Record<string, string>;
    const result = agentexCodec.decode({ id: '1-0', fields });
    expect(result.type).toBe('decode_error');
    if (result.type !== 'decode_error') return;
    expect(Object.keys(result.raw).sort()).toEqual(['__proto__', 'other']);
    expect(Object.getPrototypeOf(result.raw)).toBe(Object.prototype);
    expect(result.raw).not.toBe(fields);
  });

  it('never throws, even for entries that break the port types', () => {
    const weird = [null, undefined, {}, { id: '1-0' }, { id: '1-0', fields: null }, { id: '1-0', fields: 'data' }, { fields: { data: 5 } }];
    for (const entry of weird) {
      const result = agentexCodec.decode(entry as unknown as StreamEntry);
      expect(result.type).toBe('decode_error');
    }
  });

  it('never throws on arbitrary field maps (property)', () => {
    const fieldMap = fc.dictionary(fc.oneof(fc.constantFrom('data', 'seq', 'ts_v'), fc.string()), fc.oneof(fc.string(), fc.json()), { maxKeys: 4 });
    checkProperty(
      fc.property(fieldMap, (fields) => {
        const result = agentexCodec.decode({ id: '1-0', fields });
        expect(['decode_error', 'start', 'delta', 'full', 'done', 'task_updated', 'error']).toContain(result.type);
      }),
      500,
    );
  });

  it('a bad entry does not affect the entries around it', () => {
    const good = agentexCodec.encode({ type: 'delta', index: 0, seq: 0, delta: { type: 'text', textDelta: 'a' } }, 't');
    const good2 = agentexCodec.encode({ type: 'done', index: 0, seq: 1, fields: {} }, 't');
    const results = [
      agentexCodec.decode({ id: '1-0', fields: good }),
      agentexCodec.decode({ id: '2-0', fields: { data: '{' } }),
      agentexCodec.decode({ id: '3-0', fields: good2 }),
    ].map((r) => r.type);
    expect(results).toEqual(['delta', 'decode_error', 'done']);
  });

  it('corrupting one byte of a valid entry yields a decode_error or a valid event, never an exception (property)', () => {
    checkProperty(
      fc.property(taskEventArb, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (event, at, ch) => {
        const fields = agentexCodec.encode(event, 't');
        const data = fields['data']!;
        const pos = at % data.length;
        const corrupted = { ...fields, data: data.slice(0, pos) + ch + data.slice(pos + 1) };
        const result = agentexCodec.decode({ id: '1-0', fields: corrupted });
        if (result.type === 'decode_error') expect(result.raw).toStrictEqual(corrupted);
      }),
      300,
    );
  });
});
