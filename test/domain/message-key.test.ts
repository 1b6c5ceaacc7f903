import { describe, expect, it } from 'vitest';
import { agentexCodec } from '../../src/domain/codec/index.js';
import { messageKeyOf } from '../../src/domain/message-key.js';

describe('messageKeyOf', () => {
  it('uses the index when there is one', () => {
    expect(messageKeyOf({ type: 'delta', index: 3, seq: 0, delta: { type: 'text', textDelta: '' }, parentTaskMessage: { id: 'p' } })).toBe('index:3');
  });

  it("falls back to parent_task_message.id for agentex's index-less updates (decoded as index -1)", () => {
    const data = JSON.stringify({ type: 'delta', index: null, parent_task_message: { id: 'msg-7', task_id: 't', content: { type: 'text', author: 'agent', content: '' } }, delta: { type: 'text', text_delta: 'x' } });
    const event = agentexCodec.decode({ id: '1-0', fields: { data } });
    expect(event.type === 'delta' && event.index).toBe(-1);
    expect(event.type !== 'decode_error' && messageKeyOf(event)).toBe('parent:msg-7');
    const noIndexKey = JSON.stringify({ type: 'done', parent_task_message: { id: 'msg-7' } });
    const done = agentexCodec.decode({ id: '2-0', fields: { data: noIndexKey } });
    expect(done.type !== 'decode_error' && messageKeyOf(done)).toBe('parent:msg-7');
  });

  it('is undefined for task-level events and for a message event with neither index nor parent id', () => {
    expect(messageKeyOf({ type: 'task_updated', seq: 0, status: 'RUNNING', fields: {} })).toBeUndefined();
    expect(messageKeyOf({ type: 'done', index: -1, seq: 0, fields: {} })).toBeUndefined();
    expect(messageKeyOf({ type: 'done', index: -1, seq: 0, fields: {}, parentTaskMessage: { id: 5 } })).toBeUndefined();
  });
});
