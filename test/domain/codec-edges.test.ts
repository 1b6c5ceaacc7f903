// Edges of the agentex codec's event envelope (src/domain/codec/agentex-codec.ts): what encode
// refuses and why, and how decode reads the shapes agentex allows (absent index, null delta, …).
import { describe, expect, it } from 'vitest';
import { agentexCodec, UNKNOWN_INDEX, UNKNOWN_SEQ } from '../../src/domain/codec/index.js';
import type { DecodeErrorEvent, TaskEvent } from '../../src/domain/events.js';
import { refusal } from '../helpers/caught.js';

const encode = (event: unknown): Record<string, string> => agentexCodec.encode(event as TaskEvent, 't');
const refused = (event: unknown) => refusal(() => encode(event));
const decode = (fields: Record<string, unknown>) => agentexCodec.decode({ id: '9-1', fields: fields as Record<string, string> });
const decodeData = (data: unknown, extra: Record<string, unknown> = {}) => decode({ data: JSON.stringify(data), ...extra });

function decodeError(result: ReturnType<typeof decode>): DecodeErrorEvent {
  if (result.type !== 'decode_error') throw new Error(`expected a decode_error, got ${result.type}`);
  return result;
}

describe('encode refuses caller fields that are not an object', () => {
  it.each([
    ['done', (fields: unknown) => ({ type: 'done', index: 0, seq: 0, fields })],
    ['task_updated', (fields: unknown) => ({ type: 'task_updated', seq: 0, status: 'RUNNING', fields })],
    ['error', (fields: unknown) => ({ type: 'error', seq: 0, message: 'm', fields })],
  ])('%s fields: null, an array, a string', (what, make) => {
    for (const fields of [null, ['a'], 'abc']) {
      const err = refused(make(fields));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toBe(`cannot encode event: ${what} fields must be an object`);
    }
  });

  it('names the reserved keys when a field uses one', () => {
    expect(refused({ type: 'done', index: 0, seq: 0, fields: { index: 1 } }).message).toBe(
      'cannot encode event: done fields cannot use the reserved key "index" (reserved: type, index, parent_task_message)',
    );
  });
});

describe('encode refuses a parentTaskMessage that is not an object or null', () => {
  it.each(['msg-1', ['msg-1'], 5])('%j', (parentTaskMessage) => {
    const err = refused({ type: 'done', index: 0, seq: 0, parentTaskMessage, fields: {} });
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('cannot encode event: parentTaskMessage must be an object or null');
  });

  it('writes a null parentTaskMessage as null and reads it back', () => {
    const event: TaskEvent = { type: 'done', index: 2, seq: 0, parentTaskMessage: null, fields: {} };
    const fields = encode(event);
    expect(JSON.parse(fields['data']!)).toEqual({ type: 'done', index: 2, parent_task_message: null });
    expect(agentexCodec.decode({ id: '1-0', fields })).toStrictEqual(event);
  });
});

describe('encode refuses task-level events with a wrong-typed status or message', () => {
  it('a task_updated status that is not a string', () => {
    expect(refused({ type: 'task_updated', seq: 0, status: 5, fields: {} }).message).toBe('cannot encode event: task_updated status must be a string');
  });

  it('an error message that is not a string', () => {
    expect(refused({ type: 'error', seq: 0, message: null, fields: {} }).message).toBe('cannot encode event: error message must be a string');
  });
});

describe('encode keeps the reason of a refused content or delta', () => {
  it('reports the content rule, not a JSON failure', () => {
    const err = refused({ type: 'full', index: 0, seq: 0, content: { type: 'text', author: 5, content: 'x' } });
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('cannot encode content: author must be a string');
    expect(err.cause).toBeUndefined();
  });

  it('reports a value JSON cannot carry with the JSON error as cause', () => {
    const err = refused({ type: 'done', index: 0, seq: 0, fields: { n: 1n } });
    expect(err.message).toBe('cannot encode event: it holds a value JSON cannot carry (bigint, cycle, …)');
    expect(err.cause).toBeInstanceOf(TypeError);
  });
});

describe('decode reads the shapes agentex writes', () => {
  it('an absent index reads as UNKNOWN_INDEX, like a null one', () => {
    expect(decodeData({ type: 'done' })).toStrictEqual({ type: 'done', index: UNKNOWN_INDEX, seq: UNKNOWN_SEQ, fields: {} });
    expect(decodeData({ type: 'done', index: null })).toStrictEqual({ type: 'done', index: UNKNOWN_INDEX, seq: UNKNOWN_SEQ, fields: {} });
  });

  it('an index of 0 and a large safe index read as given', () => {
    expect(decodeData({ type: 'done', index: 0 })).toMatchObject({ index: 0 });
    expect(decodeData({ type: 'done', index: Number.MAX_SAFE_INTEGER })).toMatchObject({ index: Number.MAX_SAFE_INTEGER });
  });

  it.each([undefined, null])('a delta update whose delta is %s is refused as such', (delta) => {
    const err = decodeError(decodeData({ type: 'delta', index: 0, delta })).error;
    expect(err.code).toBe('DECODE_FAILED');
    expect(err.message).toBe('cannot decode stream entry 9-1: delta update without a delta');
  });

  it('names an unknown or missing update type in the error', () => {
    expect(decodeError(decodeData({ type: 'connected' })).error.message).toBe('cannot decode stream entry 9-1: data.type "connected" is not a known update type');
    expect(decodeError(decodeData({ index: 0 })).error.message).toBe('cannot decode stream entry 9-1: data.type undefined is not a known update type');
  });

  it('refuses a seq field that is not a string (the port says strings; a foreign backend may not)', () => {
    const err = decodeError(decode({ data: JSON.stringify({ type: 'done', index: 0 }), seq: 5, ts_v: '1' })).error;
    expect(err.message).toBe('cannot decode stream entry 9-1: seq field 5 is not a non-negative integer');
  });

  it('reads the largest 16-digit safe seq and refuses the next one', () => {
    const data = JSON.stringify({ type: 'done', index: 0 });
    expect(decode({ data, seq: String(Number.MAX_SAFE_INTEGER), ts_v: '1' })).toMatchObject({ seq: Number.MAX_SAFE_INTEGER });
    expect(decode({ data, seq: '9007199254740992', ts_v: '1' }).type).toBe('decode_error');
  });
});

describe('decoded objects are plain data, as JSON.parse gives them', () => {
  it('caller fields, extra and raw fields can be changed and deleted, a __proto__ key included', () => {
    const event = decodeData(JSON.parse('{"type":"done","index":0,"finish_reason":"stop","__proto__":{"x":1}}'));
    if (event.type !== 'done') throw new Error(event.type);
    const fields = event.fields as Record<string, unknown>;
    fields['finish_reason'] = 'length';
    expect(fields['finish_reason']).toBe('length');
    expect(delete fields['__proto__']).toBe(true);
    expect(Object.keys(fields)).toEqual(['finish_reason']);
    const full = decodeData({ type: 'full', index: 0, content: { type: 'text', author: 'agent', content: 'a', style: 'static' } });
    if (full.type !== 'full') throw new Error(full.type);
    const extra = full.content.extra as Record<string, unknown>;
    extra['style'] = 'active';
    expect(extra).toEqual({ style: 'active' });
    const bad = decodeError(decode({ data: '{', other: 'x' }));
    const raw = bad.raw as Record<string, string>;
    raw['other'] = 'y';
    expect(delete raw['data']).toBe(true);
    expect(raw).toEqual({ other: 'y' });
  });
});
