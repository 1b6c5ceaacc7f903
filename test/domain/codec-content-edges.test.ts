// Edges of agentex content on the wire (src/domain/codec/content-mapping.ts), through agentexCodec:
// which content encode refuses, how decode reads each kind, and where unmodelled keys go.
import { describe, expect, it } from 'vitest';
import { agentexCodec } from '../../src/domain/codec/index.js';
import type { MessageContent, TaskEvent } from '../../src/domain/events.js';
import { refusal } from '../helpers/caught.js';

const full = (content: unknown): TaskEvent => ({ type: 'full', index: 0, seq: 0, content: content as MessageContent });
const wireOf = (content: unknown): Record<string, unknown> =>
  (JSON.parse(agentexCodec.encode(full(content), 't')['data']!) as { content: Record<string, unknown> }).content;
const encodeRefusal = (content: unknown): string => {
  const err = refusal(() => agentexCodec.encode(full(content), 't'));
  expect(err.code).toBe('INVALID_ARGUMENT');
  return err.message;
};
const read = (content: unknown) => agentexCodec.decode({ id: '9-1', fields: { data: JSON.stringify({ type: 'full', index: 0, content }) } });
const readContent = (content: unknown): unknown => {
  const event = read(content);
  if (event.type !== 'full') throw new Error(`expected a full event, got ${event.type}: ${event.type === 'decode_error' ? event.error.message : ''}`);
  return event.content;
};
const readRefusal = (content: unknown): string => {
  const event = read(content);
  if (event.type !== 'decode_error') throw new Error(`expected a decode_error, got ${event.type}`);
  return event.error.message.replace('cannot decode stream entry 9-1: ', '');
};

describe('encode: content agentex could not read back is refused', () => {
  it.each<[string, unknown, string]>([
    ['extra null', { type: 'text', author: 'agent', content: '', extra: null }, 'extra must be an object'],
    ['extra an array', { type: 'text', author: 'agent', content: '', extra: ['x'] }, 'extra must be an object'],
    ['extra a string', { type: 'text', author: 'agent', content: '', extra: 'x' }, 'extra must be an object'],
    ['author a number', { type: 'text', author: 1, content: '' }, 'author must be a string'],
    ['text content a number', { type: 'text', author: 'agent', content: 1 }, 'content must be a string'],
    ['text format a number', { type: 'text', author: 'agent', content: '', format: 1 }, 'format must be a string'],
    ['data undefined', { type: 'data', author: 'agent', data: undefined }, 'data must be a JSON value, got undefined'],
    ['tool_request id a number', { type: 'tool_request', author: 'agent', toolCallId: 1, name: 'f', arguments: {} }, 'toolCallId must be a string'],
    ['tool_request name a number', { type: 'tool_request', author: 'agent', toolCallId: 'c', name: 1, arguments: {} }, 'name must be a string'],
    ['tool_request arguments undefined', { type: 'tool_request', author: 'agent', toolCallId: 'c', name: 'f' }, 'arguments must be a JSON value, got undefined'],
    ['tool_response id a number', { type: 'tool_response', author: 'agent', toolCallId: 1, name: 'f', content: 1 }, 'toolCallId must be a string'],
    ['tool_response name a number', { type: 'tool_response', author: 'agent', toolCallId: 'c', name: 1, content: 1 }, 'name must be a string'],
    ['tool_response content undefined', { type: 'tool_response', author: 'agent', toolCallId: 'c', name: 'f' }, 'content must be a JSON value, got undefined'],
    ['reasoning summary a string', { type: 'reasoning', author: 'agent', summary: 'x' }, 'summary must be an array of strings'],
    ['reasoning summary holding a number', { type: 'reasoning', author: 'agent', summary: ['a', 1] }, 'summary must be an array of strings'],
    ['reasoning content a string', { type: 'reasoning', author: 'agent', summary: [], content: 'x' }, 'reasoning content must be an array of strings or null'],
    ['reasoning content holding a number', { type: 'reasoning', author: 'agent', summary: [], content: ['a', 2] }, 'reasoning content must be an array of strings or null'],
    ['an unknown type', { type: 'image', author: 'agent' }, 'unknown content type "image"'],
  ])('%s', (_name, content, why) => {
    expect(encodeRefusal(content)).toBe(`cannot encode content: ${why}`);
  });
});

describe('encode: what is written', () => {
  it('writes extra first, so a modelled field wins over an extra key of the same name', () => {
    expect(wireOf({ type: 'text', author: 'agent', content: 'real', extra: { content: 'shadow', style: 'active' } })).toEqual({
      style: 'active',
      type: 'text',
      author: 'agent',
      content: 'real',
    });
  });

  it('writes format only when given, and reasoning content only when given (null as null)', () => {
    expect(wireOf({ type: 'text', author: 'agent', content: 'a' })).toEqual({ type: 'text', author: 'agent', content: 'a' });
    expect(wireOf({ type: 'text', author: 'agent', content: 'a', format: 'code' })).toEqual({ type: 'text', author: 'agent', content: 'a', format: 'code' });
    expect(wireOf({ type: 'reasoning', author: 'agent', summary: ['s'] })).toEqual({ type: 'reasoning', author: 'agent', summary: ['s'] });
    expect(wireOf({ type: 'reasoning', author: 'agent', summary: [], content: null })).toEqual({ type: 'reasoning', author: 'agent', summary: [], content: null });
    expect(wireOf({ type: 'reasoning', author: 'agent', summary: [], content: ['c'] })).toEqual({ type: 'reasoning', author: 'agent', summary: [], content: ['c'] });
  });

  it('writes null data, arguments and tool content as null (a JSON value)', () => {
    expect(wireOf({ type: 'data', author: 'user', data: null })).toEqual({ type: 'data', author: 'user', data: null });
    expect(wireOf({ type: 'tool_request', author: 'agent', toolCallId: 'c', name: 'f', arguments: null })).toMatchObject({ tool_call_id: 'c', name: 'f', arguments: null });
    expect(wireOf({ type: 'tool_response', author: 'agent', toolCallId: 'c', name: 'f', content: null })).toMatchObject({ tool_call_id: 'c', name: 'f', content: null });
  });
});

describe('decode: content of each kind', () => {
  it('keeps a null format in extra (written back as given) and reads a string format as modelled', () => {
    expect(readContent({ type: 'text', author: 'agent', content: 'a', format: null })).toStrictEqual({ type: 'text', author: 'agent', content: 'a', extra: { format: null } });
    expect(readContent({ type: 'text', author: 'agent', content: 'a', format: 'plain' })).toStrictEqual({ type: 'text', author: 'agent', content: 'a', format: 'plain' });
    expect(readContent({ type: 'text', author: 'agent', content: 'a' })).toStrictEqual({ type: 'text', author: 'agent', content: 'a' });
  });

  it('reads reasoning content absent, null or a list', () => {
    expect(readContent({ type: 'reasoning', author: 'agent', summary: [] })).toStrictEqual({ type: 'reasoning', author: 'agent', summary: [] });
    expect(readContent({ type: 'reasoning', author: 'agent', summary: [], content: null })).toStrictEqual({ type: 'reasoning', author: 'agent', summary: [], content: null });
    expect(readContent({ type: 'reasoning', author: 'agent', summary: ['s'], content: ['c'], style: 'static' })).toStrictEqual({
      type: 'reasoning',
      author: 'agent',
      summary: ['s'],
      content: ['c'],
      extra: { style: 'static' },
    });
  });

  it('reads present-but-null data, arguments and tool content, and keeps unmodelled keys in extra', () => {
    expect(readContent({ type: 'data', author: 'user', data: null })).toStrictEqual({ type: 'data', author: 'user', data: null });
    expect(readContent({ type: 'tool_request', author: 'agent', tool_call_id: 'c', name: 'f', arguments: null, style: 'active' })).toStrictEqual({
      type: 'tool_request',
      author: 'agent',
      toolCallId: 'c',
      name: 'f',
      arguments: null,
      extra: { style: 'active' },
    });
    expect(readContent({ type: 'tool_response', author: 'agent', tool_call_id: 'c', name: 'f', content: null, is_error: true })).toStrictEqual({
      type: 'tool_response',
      author: 'agent',
      toolCallId: 'c',
      name: 'f',
      content: null,
      extra: { is_error: true },
    });
  });

  it.each<[string, unknown, string]>([
    ['an unknown type', { type: 'image', author: 'agent' }, 'data.content.type "image" is not a known content type'],
    ['no type', { author: 'agent' }, 'data.content.type undefined is not a known content type'],
    ['a type that is a list', { type: ['text'], author: 'agent', content: '' }, 'data.content.type ["text"] is not a known content type'],
    ['a type inherited from Object', { type: 'toString', author: 'agent' }, 'data.content.type "toString" is not a known content type'],
    ['a number author', { type: 'text', author: 3, content: '' }, 'data.content.author must be a string'],
    ['a number format', { type: 'text', author: 'agent', content: '', format: 3 }, 'data.content.format must be a string or null'],
    ['no data', { type: 'data', author: 'agent' }, 'data.content.data is missing'],
    ['no tool_call_id', { type: 'tool_request', author: 'agent', name: 'f', arguments: {} }, 'data.content.tool_call_id must be a string'],
    ['no tool name', { type: 'tool_response', author: 'agent', tool_call_id: 'c', content: 1 }, 'data.content.name must be a string'],
    ['no tool content', { type: 'tool_response', author: 'agent', tool_call_id: 'c', name: 'f' }, 'data.content.content is missing'],
    ['a summary of numbers', { type: 'reasoning', author: 'agent', summary: [1] }, 'data.content.summary must be an array of strings'],
    ['a summary object', { type: 'reasoning', author: 'agent', summary: {} }, 'data.content.summary must be an array of strings'],
    ['reasoning content of numbers', { type: 'reasoning', author: 'agent', summary: [], content: [1] }, 'data.content.content must be an array of strings'],
  ])('refuses %s', (_name, content, why) => {
    expect(readRefusal(content)).toBe(why);
  });
});
