import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { MessageDelta } from '../../../src/domain/events.js';
import { validateDelta as assertDelta } from '../../../src/domain/codec/validate-event.js';
import { canMerge, codePointLength, deltaChars, mergeDeltas } from '../../../src/domain/publisher/delta-merge.js';

const text = (t: string): MessageDelta => ({ type: 'text', textDelta: t });
const summary = (i: number, t: string): MessageDelta => ({ type: 'reasoning_summary', summaryIndex: i, summaryDelta: t });
const content = (i: number, t: string): MessageDelta => ({ type: 'reasoning_content', contentIndex: i, contentDelta: t });
const toolReq = (id: string, t: string, name = 'search'): MessageDelta => ({ type: 'tool_request', toolCallId: id, name, argumentsDelta: t });
const toolRes = (id: string, t: string): MessageDelta => ({ type: 'tool_response', toolCallId: id, name: 'search', contentDelta: t });

describe('codePointLength', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀')).toBe(1);
    expect('😀'.length).toBe(2);
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointLength('👨‍👩‍👧')).toBe([...'👨‍👩‍👧'].length);
    expect(codePointLength('\ud83d')).toBe(1);
    expect(codePointLength('\ude00x')).toBe(2);
    expect(deltaChars(text('é😀'))).toBe(2);
  });
});

describe('canMerge / mergeDeltas', () => {
  it('merges consecutive text and data deltas of the same kind only', () => {
    expect(canMerge(text('a'), text('b'))).toBe(true);
    expect(mergeDeltas(text('a'), text('b'))).toEqual(text('ab'));
    expect(canMerge(text('a'), { type: 'data', dataDelta: 'b' })).toBe(false);
    expect(mergeDeltas({ type: 'data', dataDelta: '{"a"' }, { type: 'data', dataDelta: ':1}' })).toEqual({ type: 'data', dataDelta: '{"a":1}' });
  });

  it('merges reasoning deltas only with the same kind and index, keeping the index', () => {
    expect(canMerge(summary(0, 'a'), summary(0, 'b'))).toBe(true);
    expect(mergeDeltas(summary(2, 'a'), summary(2, 'b'))).toEqual(summary(2, 'ab'));
    expect(canMerge(summary(0, 'a'), summary(1, 'b'))).toBe(false);
    expect(canMerge(content(0, 'a'), content(0, 'b'))).toBe(true);
    expect(mergeDeltas(content(3, 'x'), content(3, 'y'))).toEqual(content(3, 'xy'));
    expect(canMerge(content(0, 'a'), content(1, 'b'))).toBe(false);
    expect(canMerge(summary(0, 'a'), content(0, 'b'))).toBe(false);
  });

  it('merges tool deltas only with the same tool_call_id and name, keeping both', () => {
    expect(canMerge(toolReq('c1', '{"q":'), toolReq('c1', '"x"}'))).toBe(true);
    expect(mergeDeltas(toolReq('c1', '{"q":'), toolReq('c1', '"x"}'))).toEqual(toolReq('c1', '{"q":"x"}'));
    expect(canMerge(toolReq('c1', 'a'), toolReq('c2', 'b'))).toBe(false);
    expect(canMerge(toolReq('c1', 'a', 'x'), toolReq('c1', 'b', 'y'))).toBe(false);
    expect(canMerge(toolReq('c1', 'a'), toolRes('c1', 'b'))).toBe(false);
    expect(mergeDeltas(toolRes('c9', 'a'), toolRes('c9', 'b'))).toEqual(toolRes('c9', 'ab'));
  });
});

describe('validateDelta', () => {
  it('accepts every well-formed kind', () => {
    for (const d of [text('a'), summary(0, 'a'), content(1, 'b'), toolReq('c', 'x'), toolRes('c', 'y'), { type: 'data', dataDelta: '' }]) {
      expect(() => assertDelta(d)).not.toThrow();
    }
  });

  it('rejects malformed deltas with INVALID_ARGUMENT', () => {
    for (const bad of [null, 'x', { type: 'nope' }, { type: 'text' }, { type: 'text', textDelta: 3 }, { type: 'reasoning_summary', summaryDelta: 'a' }, { type: 'tool_request', name: 'n', argumentsDelta: '' }, { type: 'reasoning_summary', summaryIndex: -1, summaryDelta: 'a' }]) {
      let caught: unknown;
      try {
        assertDelta(bad);
      } catch (err) {
        caught = err;
      }
      expect(TaskStreamError.is(caught, 'INVALID_ARGUMENT'), JSON.stringify(bad)).toBe(true);
    }
  });
});
