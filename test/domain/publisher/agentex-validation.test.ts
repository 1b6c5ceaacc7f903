import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { MessageContent } from '../../../src/domain/events.js';
import { agentexSchemaErrors } from '../../fixtures/agentex/agentex-schema.js';
import { harness, type Harness } from './harness.js';

const text = (over: Record<string, unknown> = {}): MessageContent => ({ type: 'text', author: 'agent', content: 'hi', ...over }) as MessageContent;
const parent = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ id: 'msg-1', task_id: 't1', content: { type: 'text', author: 'agent', content: '' }, ...over });
const without = (key: string): Record<string, unknown> => {
  const p = parent();
  delete p[key];
  return p;
};

function rejection(fn: () => unknown): TaskStreamError {
  try {
    fn();
  } catch (err) {
    if (TaskStreamError.is(err)) return err;
    throw err;
  }
  throw new Error('accepted');
}

async function asyncRejection(fn: () => Promise<unknown>): Promise<TaskStreamError> {
  try {
    await fn();
  } catch (err) {
    if (TaskStreamError.is(err)) return err;
    throw err;
  }
  throw new Error('accepted');
}

// The values issue 9 found agentex's server dropping ("Failed to validate stream event data").
const CASES: { name: string; field: string; call: (h: Harness) => Promise<unknown> }[] = [
  { name: 'author other than user/agent', field: 'content.author', call: (h) => h.publisher.open('t1').full(text({ author: 'bot' })) },
  { name: 'data that is not an object', field: 'content.data', call: (h) => h.publisher.open('t1').full({ type: 'data', author: 'agent', data: [1, 2] }) },
  { name: 'tool arguments that are not an object', field: 'content.arguments', call: (h) => h.publisher.open('t1').full({ type: 'tool_request', author: 'agent', toolCallId: 'c', name: 'f', arguments: '{"a":1}' }) },
  { name: 'an unknown format', field: 'content.format', call: (h) => h.publisher.open('t1').full(text({ format: 'html' })) },
  { name: 'start content with an unknown author', field: 'start.author', call: async (h) => h.publisher.open('t1', { start: text({ author: 'system' }) }) },
  { name: 'parent_task_message without id', field: 'parentTaskMessage.id', call: async (h) => h.publisher.open('t1', { parentTaskMessage: without('id') }) },
  { name: 'parent_task_message without task_id', field: 'parentTaskMessage.task_id', call: async (h) => h.publisher.open('t1', { parentTaskMessage: without('task_id') }) },
  { name: 'parent_task_message without content', field: 'parentTaskMessage.content', call: async (h) => h.publisher.open('t1', { parentTaskMessage: without('content') }) },
  { name: 'a task status outside TaskStatus', field: 'status', call: (h) => h.publisher.updateTask('t1', 'PAUSED') },
  { name: 'a Task field of the wrong type', field: 'fields.status_reason', call: (h) => h.publisher.updateTask('t1', 'FAILED', { status_reason: 42 }) },
  { name: 'reasoning summaryIndex -1', field: 'delta.summaryIndex', call: async (h) => h.publisher.open('t1').delta({ type: 'reasoning_summary', summaryIndex: -1, summaryDelta: 'x' }) },
  { name: 'reasoning contentIndex -1', field: 'delta.contentIndex', call: async (h) => h.publisher.open('t1').delta({ type: 'reasoning_content', contentIndex: -1, contentDelta: 'x' }) },
];

describe("publisher: values agentex's schema rejects", () => {
  it.each(CASES)('rejects $name with INVALID_ARGUMENT naming $field, and writes nothing for it', async ({ field, call }) => {
    const h = harness();
    const err = await asyncRejection(() => call(h));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.details['field']).toBe(field);
    expect(err.message).toContain(field);
    await h.publisher.close();
    expect(h.errors).toEqual([]);
    for (const entry of (await h.repo.entries('task:t1'))) expect(agentexSchemaErrors(JSON.parse(entry.fields['data']!))).toEqual([]);
  });

  it('rejects delta() synchronously, and the message goes on: its done is written after a rejected -1 summaryIndex', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1');
    ctx.delta({ type: 'reasoning_summary', summaryIndex: 0, summaryDelta: 'a' });
    expect(rejection(() => ctx.delta({ type: 'reasoning_summary', summaryIndex: -1, summaryDelta: 'b' })).code).toBe('INVALID_ARGUMENT');
    ctx.delta({ type: 'reasoning_summary', summaryIndex: 0, summaryDelta: 'c' });
    await ctx.done();
    expect(h.errors).toEqual([]);
    expect((await h.message(0)).map((e) => e.type)).toEqual(['delta', 'delta', 'done']);
  });

  it('a reserved key in updateTask fields is INVALID_ARGUMENT (not PUBLISH_FAILED), and nothing is queued', async () => {
    const h = harness();
    await expect(h.publisher.updateTask('t1', 'RUNNING', { status: 'x' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(h.publisher.error('t1', 'boom', { big: 1n } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await h.publisher.updateTask('t1', 'COMPLETED');
    expect((await h.events()).map((e) => e.type === 'task_updated' && [e.status, e.seq])).toEqual([['COMPLETED', 0]]);
  });

  it('accepts the agentex-valid forms around each rule', async () => {
    const h = harness();
    const ctx = h.publisher.open('t1', { parentTaskMessage: parent({ streaming_status: 'IN_PROGRESS', created_at: '2025-06-01T12:00:00Z' }), start: text({ format: 'markdown', extra: { style: 'active', attachments: null } }) });
    ctx.delta({ type: 'reasoning_content', contentIndex: 0, contentDelta: 'x' });
    await ctx.full({ type: 'tool_request', author: 'user', toolCallId: 'c', name: 'f', arguments: {} });
    await ctx.done({ finish_reason: 'stop' });
    await h.publisher.updateTask('t1', 'DELETED', { status_reason: null, task_metadata: { a: 1 } });
    for (const entry of (await h.repo.entries('task:t1'))) expect(agentexSchemaErrors(JSON.parse(entry.fields['data']!))).toEqual([]);
    expect(await h.events()).toHaveLength(5);
  });
});
