// Edges of the agentex checks the publisher runs on what a caller hands it
// (src/domain/codec/validate-event.ts), through the publisher on the memory backend.
import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../src/domain/errors.js';
import type { ExtraFields, MessageContent, MessageDelta } from '../../src/domain/events.js';
import { harness } from './publisher/harness.js';

/** The INVALID_ARGUMENT a call throws or rejects with; fails when it is accepted. */
async function refused(call: () => unknown): Promise<TaskStreamError> {
  try {
    await call();
  } catch (err) {
    if (TaskStreamError.is(err, 'INVALID_ARGUMENT')) return err;
    throw err;
  }
  throw new Error('accepted');
}

const text = (over: Record<string, unknown> = {}): MessageContent => ({ type: 'text', author: 'agent', content: 'hi', ...over }) as MessageContent;
const full = (content: unknown) => async () => {
  const h = harness();
  await h.publisher.open('t1').full(content as MessageContent);
  return h;
};
const parentWith = (over: Record<string, unknown>) => async () => {
  const h = harness();
  const ctx = h.publisher.open('t1', { parentTaskMessage: { id: 'm1', task_id: 't1', content: { type: 'text', author: 'agent', content: '' }, ...over } });
  await ctx.done();
  return h;
};
const delta = (d: unknown) => () => harness().publisher.open('t1').delta(d as MessageDelta);
const taskFields = (fields: Record<string, unknown>) => () => harness().publisher.updateTask('t1', 'RUNNING', fields);

describe('the refused value shown in details', () => {
  it.each<[string, unknown, unknown]>([
    ['a long string, cut at 80 characters', 'x'.repeat(81), `${'x'.repeat(80)}…`],
    ['a string of 80 characters, whole', 'y'.repeat(80), 'y'.repeat(80)],
    ['null', null, null],
    ['a number', 5, 5],
    ['a boolean', true, true],
    ['undefined', undefined, undefined],
    ['an object, by its type', { name: 'bot' }, 'object'],
    ['an array, as array', ['agent'], 'array'],
  ])('%s', async (_name, author, shown) => {
    const err = await refused(full(text({ author })));
    expect(err.details).toStrictEqual({ field: 'content.author', value: shown });
    expect(err.message).toBe('content.author must be one of "user", "agent"');
  });
});

describe('content', () => {
  it('refuses content that is not an object as a whole', async () => {
    const err = await refused(full('hello'));
    expect(err.details).toStrictEqual({ field: 'content', value: 'hello' });
  });

  it('refuses a value JSON cannot carry, with the JSON error as cause', async () => {
    const err = await refused(full({ type: 'data', author: 'agent', data: { n: 1n } }));
    expect(err.message).toBe('content.data is not a JSON value (bigint, cycle, …)');
    expect(err.details).toStrictEqual({ field: 'content.data' });
    expect(err.cause).toBeInstanceOf(TypeError);
  });

  it('refuses undefined where agentex needs a JSON value', async () => {
    const err = await refused(full({ type: 'tool_response', author: 'agent', toolCallId: 'c', name: 'f', content: undefined }));
    expect(err.details).toStrictEqual({ field: 'content.content', value: undefined });
    expect(err.message).toBe('content.content must be a JSON value, got undefined');
  });

  it('refuses an unknown content type by its field', async () => {
    expect((await refused(full({ type: 'image', author: 'agent' }))).details['field']).toBe('content.type');
  });

  it.each<[string, unknown, string]>([
    ['a summary that is not a list', { type: 'reasoning', author: 'agent', summary: 'x' }, 'content.summary'],
    ['a summary holding a number', { type: 'reasoning', author: 'agent', summary: ['a', 1] }, 'content.summary'],
    ['reasoning content that is a string', { type: 'reasoning', author: 'agent', summary: [], content: 'x' }, 'content.content'],
    ['an extra that is an array', { type: 'text', author: 'agent', content: '', extra: ['x'] }, 'content.extra'],
    ['an extra format outside TextFormat when none is modelled', { type: 'text', author: 'agent', content: '', extra: { format: 'html' } }, 'content.extra.format'],
    ['an is_error that is not a boolean', { type: 'tool_response', author: 'agent', toolCallId: 'c', name: 'f', content: 'r', extra: { is_error: 'yes' } }, 'content.extra.is_error'],
    ['an attachment that is not an object', { type: 'text', author: 'agent', content: '', extra: { attachments: [5] } }, 'content.extra.attachments[0]'],
    ['an attachment of size "10"', { type: 'text', author: 'agent', content: '', extra: { attachments: [{ file_id: 'f', name: 'n', type: 't', size: '10' }] } }, 'content.extra.attachments[0].size'],
    ['an attachment of size 1.5', { type: 'text', author: 'agent', content: '', extra: { attachments: [{ file_id: 'f', name: 'n', type: 't', size: 1.5 }] } }, 'content.extra.attachments[0].size'],
  ])('refuses %s', async (_name, content, field) => {
    expect((await refused(full(content))).details['field']).toBe(field);
  });

  it('accepts the valid forms next to those rules', async () => {
    const accepted: unknown[] = [
      { type: 'reasoning', author: 'agent', summary: ['s'], content: null },
      { type: 'reasoning', author: 'user', summary: [], content: ['c'] },
      { type: 'text', author: 'agent', content: '', format: 'plain', extra: { format: 'html' } },
      { type: 'text', author: 'agent', content: '', extra: { format: 'code', attachments: [{ file_id: 'f', name: 'n', type: 't', size: 10 }] } },
      { type: 'tool_response', author: 'agent', toolCallId: 'c', name: 'f', content: 'r', extra: { is_error: true } },
      { type: 'tool_response', author: 'agent', toolCallId: 'c', name: 'f', content: 'r', extra: { is_error: null } },
    ];
    for (const content of accepted) {
      const h = await full(content)();
      expect(h.errors).toEqual([]);
      expect((await h.message(0)).map((e) => e.type)).toEqual(['full']);
    }
  });
});

describe('deltas', () => {
  it('refuses a delta that is not an object, or whose type is not a delta type name', () => {
    return Promise.all([
      refused(delta('text')).then((err) => expect(err.details['field']).toBe('delta')),
      refused(delta({ type: ['text'], textDelta: 'a' })).then((err) => expect(err.details['field']).toBe('delta.type')),
    ]);
  });

  it('refuses a reasoning summary delta whose text is not a string at once, not when it is written', async () => {
    expect((await refused(delta({ type: 'reasoning_summary', summaryIndex: 0, summaryDelta: 5 }))).details['field']).toBe('delta.summaryDelta');
  });
});

describe('parentTaskMessage', () => {
  it.each<[string, unknown, string]>([
    ['not an object', 'm1', 'parentTaskMessage'],
    ['an id that is a number', { id: 5 }, 'parentTaskMessage.id'],
    ['an empty id', { id: '' }, 'parentTaskMessage.id'],
    ['a content style outside MessageStyle', { content: { type: 'text', author: 'agent', content: '', style: 'bold' } }, 'parentTaskMessage.content.extra.style'],
    ['a text content with a null format', { content: { type: 'text', author: 'agent', content: '', format: null } }, 'parentTaskMessage.content.format'],
    ['a streaming_status outside IN_PROGRESS, DONE, null', { streaming_status: 'STREAMING' }, 'parentTaskMessage.streaming_status'],
  ])('refuses %s', async (name, over, field) => {
    const err = await refused(name === 'not an object' ? () => harness().publisher.open('t1', { parentTaskMessage: over as ExtraFields }) : parentWith(over as Record<string, unknown>));
    expect(err.details['field']).toBe(field);
    if (field === 'parentTaskMessage.content.format') expect(err.message).toBe('parentTaskMessage.content.format must be one of "markdown", "plain", "code"');
  });

  it('accepts a tool request content in snake_case, and a data content with a null format', async () => {
    for (const content of [
      { type: 'tool_request', author: 'agent', tool_call_id: 'c', name: 'f', arguments: {} },
      { type: 'data', author: 'agent', data: {}, format: null },
    ]) {
      const h = await parentWith({ content })();
      expect((await h.message(0)).map((e) => e.type)).toEqual(['done']);
    }
    for (const streaming_status of ['IN_PROGRESS', 'DONE', null]) {
      const h = await parentWith({ streaming_status })();
      expect((await h.message(0)).map((e) => e.type)).toEqual(['done']);
    }
  });
});

describe('caller fields and task fields', () => {
  it('refuses done and error fields that are not an object, or not a JSON object', async () => {
    for (const fields of ['x', ['a'], new Date(0)]) {
      const h = harness();
      expect((await refused(() => h.publisher.open('t1').done(fields as unknown as ExtraFields))).details['field']).toBe('fields');
      expect((await refused(() => h.publisher.error('t1', 'boom', fields as unknown as ExtraFields))).details['field']).toBe('fields');
    }
    expect((await refused(() => harness().publisher.open('t1').done(new Date(0) as unknown as ExtraFields))).message).toBe('fields must be a JSON object');
    expect((await refused(() => harness().publisher.open('t1').done('x' as unknown as ExtraFields))).message).toBe('fields must be an object');
  });

  it.each([
    '2025-06-15T21:09:59Z',
    '2025-06-30 23:59:59.123456z',
    '2025-02-19T00:00+21:00',
    '2025-12-31T12:00:00-0530',
    '2025-01-01T00:00:00',
  ])('accepts the date-time %s', async (at) => {
    await taskFields({ created_at: at, updated_at: at })();
  });

  it.each([['2025-06-01T12:00:00Z'], 'x2025-06-01T12:00:00Z', '2025-06-01T12:00:00Zx', '2025-06-32T12:00:00Z', '2025-06-01T24:00:00Z', '2025-06-01T12:00:00+24:00', '2025-13-01T12:00:00Z', 1748779200])(
    'refuses the date-time %j',
    async (at) => {
      expect((await refused(taskFields({ updated_at: at }))).details['field']).toBe('fields.updated_at');
    },
  );
});
