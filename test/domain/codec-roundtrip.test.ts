import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentexCodec, AGENTEX_FIELDS } from '../../src/domain/codec/index.js';
import { canonicalJson, checkProperty, taskEventArb, trickyString } from '../fixtures/agentex/arbitraries.js';

describe('agentexCodec round trip (property)', () => {
  it('decode(encode(event)) equals the event for arbitrary events', () => {
    checkProperty(
      fc.property(taskEventArb, trickyString, (event, taskId) => {
        const fields = agentexCodec.encode(event, taskId);
        const decoded = agentexCodec.decode({ id: '1-0', fields });
        // toEqual + canonical JSON instead of toStrictEqual: objects may hold a `constructor` key.
        expect(decoded).toEqual(event);
        expect(canonicalJson(decoded)).toBe(canonicalJson(event));
        expect(Object.keys(decoded).sort()).toEqual(Object.keys(event).sort());
      }),
      1000,
    );
  });

  it('writes only well-formed UTF-16, ASCII-safe seq fields and data that is a JSON object', () => {
    checkProperty(
      fc.property(taskEventArb, (event) => {
        const fields = agentexCodec.encode(event, 'task-1');
        for (const value of Object.values(fields)) expect((value as unknown as { isWellFormed(): boolean }).isWellFormed()).toBe(true);
        if (event.seq >= 0) {
          expect(fields[AGENTEX_FIELDS.seq]).toBe(String(event.seq));
          expect(fields[AGENTEX_FIELDS.version]).toBe('1');
        } else {
          expect(Object.keys(fields)).toEqual([AGENTEX_FIELDS.data]);
        }
        const data = JSON.parse(fields[AGENTEX_FIELDS.data]!) as Record<string, unknown>;
        expect(data['type']).toBe(event.type);
      }),
      500,
    );
  });

  it('encoding is deterministic', () => {
    checkProperty(
      fc.property(taskEventArb, (event) => {
        expect(agentexCodec.encode(event, 't')).toStrictEqual(agentexCodec.encode(structuredClone(event), 't'));
      }),
      200,
    );
  });

  it('keeps lone surrogates: JSON escapes them, so they survive a UTF-8 backend', () => {
    const text = 'a\ud800b\udfffc';
    const fields = agentexCodec.encode({ type: 'delta', index: 0, seq: 0, delta: { type: 'text', textDelta: text } }, 't');
    expect(fields['data']).toContain('\\ud800');
    // What a UTF-8 backend does to the field: encode and decode as UTF-8.
    const viaUtf8 = { ...fields, data: Buffer.from(fields['data']!, 'utf8').toString('utf8') };
    expect(agentexCodec.decode({ id: '1-0', fields: viaUtf8 })).toMatchObject({ delta: { textDelta: text } });
  });

  it('keeps strings that look like other JSON types as strings', () => {
    for (const s of ['true', '1', 'null', '12345678901234567890', '{"a":1}', '']) {
      const event = { type: 'error' as const, seq: 3, message: s, fields: { v: s } };
      expect(agentexCodec.decode({ id: '1-0', fields: agentexCodec.encode(event, 't') })).toStrictEqual(event);
    }
  });
});
