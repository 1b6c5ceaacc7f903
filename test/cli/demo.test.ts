import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseDemoArgs } from '../../src/cli/demo/run-demo.js';
import { compareTokens, Tally, tallyKey } from '../../src/cli/demo/tally.js';
import { allGood, rowFor } from '../../src/cli/demo/report.js';
import { taskIdOf, tokensOf } from '../../src/cli/demo/scenario.js';
import { TaskStreamError } from '../../src/domain/errors.js';

function capture(): { io: Parameters<typeof main>[1]; out: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => (text += String(chunk)));
  stderr.on('data', (chunk) => (text += String(chunk)));
  return { io: { stdout, stderr, env: {} }, out: () => text };
}

describe('taskstream demo', () => {
  it('runs on the memory backend and reports no drop and one Done per message for every subscriber', async () => {
    const { io, out } = capture();
    const code = await main(['demo', '--agents', '3', '--tokens', '25', '--rate', '1000'], io);
    expect(out()).toContain('memory backend');
    expect(code).toBe(0);
    const rows = out().split('\n').filter((line) => /^(live-1|live-2|late-joiner|resumer) /.test(line));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const [, sent, received, drops, dups, inOrder, done] = row.split(/\s+/);
      expect({ sent, received, drops, dups, inOrder, done }).toEqual({ sent: '150', received: '150', drops: '0', dups: '0', inOrder: 'yes', done: '1' });
    }
  });

  it('rejects a bad option with INVALID_CONFIG naming it', () => {
    const err = (() => {
      try {
        parseDemoArgs(['--tokens', '-3']);
      } catch (e) {
        return e;
      }
    })();
    expect(TaskStreamError.is(err, 'INVALID_CONFIG')).toBe(true);
    expect((err as Error).message).toContain('--tokens');
  });

  it('an unknown command exits 2 with usage', async () => {
    const { io, out } = capture();
    expect(await main(['nope'], io)).toBe(2);
    expect(out()).toContain('usage: taskstream');
  });
});

describe('demo accounting (what the table is built from)', () => {
  it('counts a dropped, a duplicated and a reordered token', () => {
    const sent = ['a ', 'b ', 'c '];
    expect(compareTokens(sent, 'a b c ')).toEqual({ received: 3, drops: 0, duplicates: 0, inOrder: true });
    expect(compareTokens(sent, 'a c ')).toMatchObject({ received: 2, drops: 1, inOrder: false });
    expect(compareTokens(sent, 'a b b c ')).toMatchObject({ drops: 0, duplicates: 1, inOrder: false });
    expect(compareTokens(sent, 'b a c ')).toMatchObject({ drops: 0, inOrder: false });
  });

  it('flags a second Done and anything after Done', () => {
    const plan = { agents: 1, messages: 1, tokens: 2, rate: 1 };
    const taskId = taskIdOf('r', 0);
    const tally = new Tally();
    const [t0, t1] = tokensOf(0, 0, 2);
    tally.record(taskId, { id: '1-0', event: { type: 'delta', index: 0, seq: 0, delta: { type: 'text', textDelta: t0! + t1! } } });
    tally.record(taskId, { id: '2-0', event: { type: 'done', index: 0, seq: 1, fields: {} } });
    expect(allGood([rowFor('ok', tally, plan, 'r')])).toBe(true);
    tally.record(taskId, { id: '3-0', event: { type: 'done', index: 0, seq: 2, fields: {} } });
    const row = rowFor('twice', tally, plan, 'r');
    expect(row.donePerMessage).toBe('2');
    expect(row.inOrder).toBe(false);
    expect(allGood([row])).toBe(false);
  });

  it("groups agentex's index-less updates (index -1) by parent_task_message.id, not into one message", () => {
    const tally = new Tally();
    const parent = (id: string) => ({ id, task_id: 't', content: { type: 'text', author: 'agent', content: '' } });
    const delta = (id: string, text: string) => ({ type: 'delta' as const, index: -1, seq: -1, parentTaskMessage: parent(id), delta: { type: 'text' as const, textDelta: text } });
    tally.record('t', { id: '1-0', event: delta('m-a', 'hello ') });
    tally.record('t', { id: '2-0', event: delta('m-b', 'other ') });
    tally.record('t', { id: '3-0', event: delta('m-a', 'world') });
    tally.record('t', { id: '4-0', event: { type: 'done', index: -1, seq: -1, parentTaskMessage: parent('m-a'), fields: {} } });
    expect(tally.text('t', 'parent:m-a')).toBe('hello world');
    expect(tally.text('t', 'parent:m-b')).toBe('other ');
    expect(tally.donesPer([tallyKey('t', 'parent:m-a'), tallyKey('t', 'parent:m-b')])).toEqual([1, 0]);
    expect(tally.eventsAfterDone).toBe(0);
  });
});
