// Which task statuses end a subscription (TERMINAL_TASK_STATUSES) and which events belong to a
// message (isMessageEvent), through the public API and the memory backend (src/domain/events.ts).
import { describe, expect, it } from 'vitest';
import { TERMINAL_TASK_STATUSES, isMessageEvent, type TaskEvent } from '../../src/domain/events.js';
import { ZERO_ID } from '../../src/domain/stream-id.js';
import { TASK, consume, seqs, status, setup } from './subscriber/harness.js';

const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'TIMED_OUT', 'DELETED'];

describe('TERMINAL_TASK_STATUSES', () => {
  it("is agentex's terminal statuses and nothing else", () => {
    expect([...TERMINAL_TASK_STATUSES].sort()).toEqual([...TERMINAL].sort());
  });

  it.each(TERMINAL)('a subscription with untilTerminal ends right after %s', async (terminal) => {
    const { subscriber, append } = setup();
    await append([status(0), status(1, terminal), status(2, 'RUNNING')]);
    const run = consume(subscriber.open(TASK, { lastEventId: ZERO_ID, untilTerminal: true }));
    await run.finished;
    expect(seqs(run.items)).toEqual([0, 1]);
  });

  it.each(['RUNNING', 'QUEUED', 'completed', ''])('%j does not end it', async (other) => {
    const { subscriber, append } = setup();
    await append([status(0), status(1, other), status(2, 'FAILED')]);
    const run = consume(subscriber.open(TASK, { lastEventId: ZERO_ID, untilTerminal: true }));
    await run.finished;
    expect(seqs(run.items)).toEqual([0, 1, 2]);
  });
});

describe('isMessageEvent', () => {
  const events: [TaskEvent, boolean][] = [
    [{ type: 'start', index: 0, seq: 0, content: { type: 'text', author: 'agent', content: '' } }, true],
    [{ type: 'delta', index: 0, seq: 1, delta: { type: 'text', textDelta: 'a' } }, true],
    [{ type: 'full', index: 0, seq: 2, content: { type: 'text', author: 'agent', content: 'a' } }, true],
    [{ type: 'done', index: 0, seq: 3, fields: {} }, true],
    [{ type: 'task_updated', seq: 0, status: 'RUNNING', fields: {} }, false],
    [{ type: 'error', seq: 0, message: 'x', fields: {} }, false],
  ];
  it.each(events.map(([e, is]) => [e.type, e, is] as const))('%s → %s', (_type, event, is) => {
    expect(isMessageEvent(event)).toBe(is);
  });
});
