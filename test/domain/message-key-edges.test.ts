// Edges of messageKeyOf (src/domain/message-key.ts): every message event kind, index 0, and the
// parent ids that cannot name a message.
import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../../src/domain/events.js';
import { messageKeyOf } from '../../src/domain/message-key.js';

const content = { type: 'text', author: 'agent', content: '' } as const;

describe('messageKeyOf', () => {
  it.each<TaskEvent>([
    { type: 'start', index: 0, seq: 0, content },
    { type: 'delta', index: 0, seq: 1, delta: { type: 'text', textDelta: 'a' } },
    { type: 'full', index: 0, seq: 2, content },
    { type: 'done', index: 0, seq: 3, fields: {} },
  ])('keys a $type event by its index, 0 included', (event) => {
    expect(messageKeyOf(event)).toBe('index:0');
  });

  it.each<TaskEvent>([
    { type: 'start', index: -1, seq: 0, content, parentTaskMessage: { id: 'm' } },
    { type: 'delta', index: -1, seq: 0, delta: { type: 'text', textDelta: '' }, parentTaskMessage: { id: 'm' } },
    { type: 'full', index: -1, seq: 0, content, parentTaskMessage: { id: 'm' } },
  ])('keys an index-less $type event by its parent id', (event) => {
    expect(messageKeyOf(event)).toBe('parent:m');
  });

  it('gives task-level events no key, even when their JSON carries an index or a parent', () => {
    const odd = { index: 3, parentTaskMessage: { id: 'm' } };
    expect(messageKeyOf({ type: 'error', seq: 0, message: 'x', fields: {}, ...odd } as TaskEvent)).toBeUndefined();
    expect(messageKeyOf({ type: 'task_updated', seq: 0, status: 'RUNNING', fields: {}, ...odd } as TaskEvent)).toBeUndefined();
  });

  it.each([null, 'm', { id: '' }, { id: ['m'] }, { id: 7 }, {}])('gives no key for the parent %j without an index', (parentTaskMessage) => {
    expect(messageKeyOf({ type: 'done', index: -1, seq: 0, fields: {}, parentTaskMessage } as TaskEvent)).toBeUndefined();
  });
});
