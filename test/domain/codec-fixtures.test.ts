import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentexCodec, AGENTEX_FIELDS, UNKNOWN_INDEX, UNKNOWN_SEQ } from '../../src/domain/codec/index.js';
import type { TaskEvent } from '../../src/domain/events.js';
import { TaskStreamError } from '../../src/domain/errors.js';

interface OwnCase {
  name: string;
  fields: { seq: string; ts_v: string; data: unknown };
  event: TaskEvent;
}
interface ForeignCase {
  name: string;
  raw: Record<string, string>;
  event: TaskEvent;
  reencodes: boolean;
}

function load<T>(file: string): { taskId: string; cases: T[] } {
  return JSON.parse(readFileSync(new URL(`../fixtures/agentex/${file}`, import.meta.url), 'utf8')) as { taskId: string; cases: T[] };
}

const own = load<OwnCase>('taskstream-written.json');
const foreign = load<ForeignCase>('agentex-written.json');

describe('agentexCodec on entries taskstream writes (taskstream-written.json)', () => {
  it('covers every event type, delta kind and content kind', () => {
    const kinds = new Set(own.cases.map((c) => c.event.type));
    expect([...kinds].sort()).toEqual(['delta', 'done', 'error', 'full', 'start', 'task_updated']);
    const deltas = new Set(own.cases.flatMap((c) => (c.event.type === 'delta' ? [c.event.delta.type] : [])));
    expect(deltas.size).toBe(6);
    const contents = new Set(own.cases.flatMap((c) => (c.event.type === 'start' || c.event.type === 'full' ? [c.event.content.type] : [])));
    expect(contents.size).toBe(5);
  });

  it.each(own.cases.map((c) => [c.name, c] as const))('decodes %s', (_name, c) => {
    const decoded = agentexCodec.decode({ id: '1-0', fields: { ...c.fields, data: JSON.stringify(c.fields.data) } });
    expect(decoded).toStrictEqual(c.event);
  });

  it.each(own.cases.map((c) => [c.name, c] as const))('encodes %s to exactly the fixture', (_name, c) => {
    const encoded = agentexCodec.encode(c.event, own.taskId);
    expect(Object.keys(encoded).sort()).toEqual(['data', 'seq', 'ts_v']);
    expect(encoded['seq']).toBe(c.fields.seq);
    expect(encoded['ts_v']).toBe(c.fields.ts_v);
    expect(JSON.parse(encoded['data']!)).toStrictEqual(c.fields.data);
  });

  it('keeps taskstream fields out of data', () => {
    for (const c of own.cases) {
      const data = JSON.parse(agentexCodec.encode(c.event, own.taskId)['data']!) as Record<string, unknown>;
      expect(data).not.toHaveProperty('seq');
      expect(data).not.toHaveProperty('ts_v');
    }
  });
});

describe('agentexCodec on entries agentex (Python) writes (agentex-written.json)', () => {
  it.each(foreign.cases.map((c) => [c.name, c] as const))('decodes %s', (_name, c) => {
    expect(agentexCodec.decode({ id: '5-0', fields: c.raw })).toStrictEqual(c.event);
  });

  it('reads a missing seq as UNKNOWN_SEQ and a null index as UNKNOWN_INDEX', () => {
    const first = agentexCodec.decode({ id: '5-0', fields: foreign.cases[0]!.raw });
    expect(first).toMatchObject({ seq: UNKNOWN_SEQ, index: UNKNOWN_INDEX });
  });

  it.each(foreign.cases.filter((c) => c.reencodes).map((c) => [c.name, c] as const))('writes %s back as agentex wrote it', (_name, c) => {
    const encoded = agentexCodec.encode(c.event, foreign.taskId);
    // UNKNOWN_SEQ: no seq/ts_v, so the entry stays a plain agentex entry.
    expect(Object.keys(encoded)).toEqual([AGENTEX_FIELDS.data]);
    expect(JSON.parse(encoded['data']!)).toStrictEqual(JSON.parse(c.raw['data']!));
  });
});

describe('agentexCodec.encode rejects events it could not read back', () => {
  const bad: [string, TaskEvent][] = [
    ['done field named index', { type: 'done', index: 0, seq: 0, fields: { index: 3 } }],
    ['done field named type', { type: 'done', index: 0, seq: 0, fields: { type: 'x' } }],
    ['task_updated field named status', { type: 'task_updated', seq: 0, status: 'RUNNING', fields: { status: 'x' } }],
    ['task_updated field named id', { type: 'task_updated', seq: 0, status: 'RUNNING', fields: { id: 'other' } }],
    ['error field named message', { type: 'error', seq: 0, message: 'm', fields: { message: 'x' } }],
    ['negative seq', { type: 'done', index: 0, seq: -2, fields: {} }],
    ['fractional seq', { type: 'done', index: 0, seq: 0.5, fields: {} }],
    ['NaN index', { type: 'done', index: Number.NaN, seq: 0, fields: {} }],
    ['unsafe index', { type: 'done', index: 2 ** 53, seq: 0, fields: {} }],
    ['bigint in data', { type: 'full', index: 0, seq: 0, content: { type: 'data', author: 'agent', data: { n: 1n } } }],
    ['undefined tool arguments', { type: 'full', index: 0, seq: 0, content: { type: 'tool_request', author: 'agent', toolCallId: 'c', name: 'f', arguments: undefined } }],
    ['negative summary index', { type: 'delta', index: 0, seq: 0, delta: { type: 'reasoning_summary', summaryIndex: -1, summaryDelta: '' } }],
    ['non-string text delta', { type: 'delta', index: 0, seq: 0, delta: { type: 'text', textDelta: 5 as unknown as string } }],
    ['unknown event type', { type: 'connected', seq: 0 } as unknown as TaskEvent],
  ];

  it.each(bad)('%s', (_name, event) => {
    let caught: unknown;
    try {
      agentexCodec.encode(event, 't');
    } catch (err) {
      caught = err;
    }
    expect(TaskStreamError.is(caught, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('reports a cycle as INVALID_ARGUMENT with the JSON error as cause', () => {
    const data: Record<string, unknown> = {};
    data['self'] = data;
    try {
      agentexCodec.encode({ type: 'full', index: 0, seq: 0, content: { type: 'data', author: 'agent', data } }, 't');
      expect.unreachable();
    } catch (err) {
      expect(TaskStreamError.is(err, 'INVALID_ARGUMENT')).toBe(true);
      expect((err as Error).cause).toBeInstanceOf(TypeError);
    }
  });
});
