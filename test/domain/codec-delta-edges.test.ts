// Edges of agentex deltas on the wire (src/domain/codec/delta-mapping.ts), through agentexCodec.
import { describe, expect, it } from 'vitest';
import { agentexCodec } from '../../src/domain/codec/index.js';
import type { MessageDelta, TaskEvent } from '../../src/domain/events.js';
import { refusal } from '../helpers/caught.js';

const deltaEvent = (delta: unknown): TaskEvent => ({ type: 'delta', index: 0, seq: 0, delta: delta as MessageDelta });
const wireOf = (delta: unknown): unknown => (JSON.parse(agentexCodec.encode(deltaEvent(delta), 't')['data']!) as { delta: unknown }).delta;
const read = (delta: unknown) => agentexCodec.decode({ id: '9-1', fields: { data: JSON.stringify({ type: 'delta', index: 0, delta }) } });
const readDelta = (delta: unknown): unknown => {
  const event = read(delta);
  if (event.type !== 'delta') throw new Error(`expected a delta, got ${event.type}: ${event.type === 'decode_error' ? event.error.message : ''}`);
  return event.delta;
};
const readRefusal = (delta: unknown): string => {
  const event = read(delta);
  if (event.type !== 'decode_error') throw new Error(`expected a decode_error, got ${event.type}`);
  return event.error.message.replace('cannot decode stream entry 9-1: ', '');
};

describe('encode: each delta kind in snake_case', () => {
  it.each<[MessageDelta, unknown]>([
    [{ type: 'text', textDelta: 'a' }, { type: 'text', text_delta: 'a' }],
    [{ type: 'data', dataDelta: '{' }, { type: 'data', data_delta: '{' }],
    [{ type: 'tool_request', toolCallId: 'c', name: 'f', argumentsDelta: '{"' }, { type: 'tool_request', tool_call_id: 'c', name: 'f', arguments_delta: '{"' }],
    [{ type: 'tool_response', toolCallId: 'c', name: 'f', contentDelta: 'ok' }, { type: 'tool_response', tool_call_id: 'c', name: 'f', content_delta: 'ok' }],
    [{ type: 'reasoning_summary', summaryIndex: 0, summaryDelta: 's' }, { type: 'reasoning_summary', summary_index: 0, summary_delta: 's' }],
    [{ type: 'reasoning_content', contentIndex: 3, contentDelta: 'c' }, { type: 'reasoning_content', content_index: 3, content_delta: 'c' }],
  ])('%j', (delta, wire) => {
    expect(wireOf(delta)).toStrictEqual(wire);
    expect(readDelta(wire)).toStrictEqual(delta);
  });
});

describe('encode: refuses a delta it could not read back', () => {
  it.each<[unknown, string]>([
    [{ type: 'data', dataDelta: 1 }, 'dataDelta must be a string'],
    [{ type: 'tool_request', toolCallId: 1, name: 'f', argumentsDelta: '' }, 'toolCallId must be a string'],
    [{ type: 'tool_request', toolCallId: 'c', name: null, argumentsDelta: '' }, 'name must be a string'],
    [{ type: 'tool_request', toolCallId: 'c', name: 'f' }, 'argumentsDelta must be a string'],
    [{ type: 'tool_response', toolCallId: 1, name: 'f', contentDelta: '' }, 'toolCallId must be a string'],
    [{ type: 'tool_response', toolCallId: 'c', name: 1, contentDelta: '' }, 'name must be a string'],
    [{ type: 'tool_response', toolCallId: 'c', name: 'f', contentDelta: 1 }, 'contentDelta must be a string'],
    [{ type: 'reasoning_summary', summaryIndex: '0', summaryDelta: '' }, 'summaryIndex must be a non-negative integer'],
    [{ type: 'reasoning_summary', summaryIndex: 0.5, summaryDelta: '' }, 'summaryIndex must be a non-negative integer'],
    [{ type: 'reasoning_summary', summaryIndex: 0, summaryDelta: 1 }, 'summaryDelta must be a string'],
    [{ type: 'reasoning_content', contentIndex: -1, contentDelta: '' }, 'contentIndex must be a non-negative integer'],
    [{ type: 'reasoning_content', contentIndex: 2 ** 53, contentDelta: '' }, 'contentIndex must be a non-negative integer'],
    [{ type: 'reasoning_content', contentIndex: 0, contentDelta: null }, 'contentDelta must be a string'],
    [{ type: 'image' }, 'unknown delta type "image"'],
  ])('%j', (delta, why) => {
    const err = refusal(() => agentexCodec.encode(deltaEvent(delta), 't'));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe(`cannot encode delta: ${why}`);
  });
});

describe('decode: agentex delta strings default to ""', () => {
  it.each<[unknown, MessageDelta]>([
    [{ type: 'text' }, { type: 'text', textDelta: '' }],
    [{ type: 'text', text_delta: null }, { type: 'text', textDelta: '' }],
    [{ type: 'data', data_delta: null }, { type: 'data', dataDelta: '' }],
    [{ type: 'tool_request', tool_call_id: 'c', name: 'f' }, { type: 'tool_request', toolCallId: 'c', name: 'f', argumentsDelta: '' }],
    [{ type: 'tool_response', tool_call_id: 'c', name: 'f', content_delta: null }, { type: 'tool_response', toolCallId: 'c', name: 'f', contentDelta: '' }],
    [{ type: 'reasoning_summary', summary_index: 1 }, { type: 'reasoning_summary', summaryIndex: 1, summaryDelta: '' }],
    [{ type: 'reasoning_content', content_index: 0 }, { type: 'reasoning_content', contentIndex: 0, contentDelta: '' }],
  ])('%j', (wire, delta) => {
    expect(readDelta(wire)).toStrictEqual(delta);
  });

  it('reads the older SDK name tool_response_delta, and prefers content_delta when both are there', () => {
    expect(readDelta({ type: 'tool_response', tool_call_id: 'c', name: 'f', tool_response_delta: 'old' })).toMatchObject({ contentDelta: 'old' });
    expect(readDelta({ type: 'tool_response', tool_call_id: 'c', name: 'f', content_delta: 'new', tool_response_delta: 'old' })).toMatchObject({ contentDelta: 'new' });
    expect(readDelta({ type: 'tool_response', tool_call_id: 'c', name: 'f', content_delta: null, tool_response_delta: 'old' })).toMatchObject({ contentDelta: '' });
  });
});

describe('decode: refuses a delta of the wrong shape', () => {
  it.each<[unknown, string]>([
    [{ type: 'image' }, 'data.delta.type "image" is not a known delta type'],
    [{}, 'data.delta.type undefined is not a known delta type'],
    [[], 'data.delta must be a JSON object'],
    [{ type: 'data', data_delta: 5 }, 'data.delta.data_delta must be a string or null'],
    [{ type: 'tool_response', tool_call_id: 'c', name: 5 }, 'data.delta.name must be a string'],
    [{ type: 'tool_response', tool_call_id: 'c', name: 'f', tool_response_delta: 5 }, 'data.delta.tool_response_delta must be a string or null'],
    [{ type: 'reasoning_summary', summary_index: -1 }, 'data.delta.summary_index must be a non-negative integer'],
    [{ type: 'reasoning_summary', summary_index: 1.5 }, 'data.delta.summary_index must be a non-negative integer'],
    [{ type: 'reasoning_content', content_index: '0' }, 'data.delta.content_index must be a non-negative integer'],
    [{ type: 'reasoning_content', content_index: 0, content_delta: 1 }, 'data.delta.content_delta must be a string or null'],
  ])('%j', (delta, why) => {
    expect(readRefusal(delta)).toBe(why);
  });
});
