import type { MessageDelta } from '../events.js';
import { TaskStreamError } from '../errors.js';

/**
 * Number of Unicode code points in `text` (a surrogate pair counts once, a lone surrogate once),
 * without allocating.
 */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** The streamed text a delta carries (its `*Delta` field). */
export function deltaText(delta: MessageDelta): string {
  switch (delta.type) {
    case 'text':
      return delta.textDelta;
    case 'data':
      return delta.dataDelta;
    case 'tool_request':
      return delta.argumentsDelta;
    case 'tool_response':
    case 'reasoning_content':
      return delta.contentDelta;
    case 'reasoning_summary':
      return delta.summaryDelta;
  }
}

/** Size of a delta for `maxBufferedChars`, in code points. */
export function deltaChars(delta: MessageDelta): number {
  return codePointLength(deltaText(delta));
}

/**
 * True when `next` may be appended to `prev` as one delta: same kind, and every field but the
 * streamed text equal (same reasoning summary/content index, same tool call id and name).
 */
export function canMerge(prev: MessageDelta, next: MessageDelta): boolean {
  switch (prev.type) {
    case 'text':
    case 'data':
      return next.type === prev.type;
    case 'tool_request':
    case 'tool_response':
      return next.type === prev.type && next.toolCallId === prev.toolCallId && next.name === prev.name;
    case 'reasoning_summary':
      return next.type === 'reasoning_summary' && next.summaryIndex === prev.summaryIndex;
    case 'reasoning_content':
      return next.type === 'reasoning_content' && next.contentIndex === prev.contentIndex;
  }
}

/** `prev` with `next`'s text appended; every other field is `prev`'s. Call only when {@link canMerge}. */
export function mergeDeltas(prev: MessageDelta, next: MessageDelta): MessageDelta {
  const text = deltaText(prev) + deltaText(next);
  switch (prev.type) {
    case 'text':
      return { ...prev, textDelta: text };
    case 'data':
      return { ...prev, dataDelta: text };
    case 'tool_request':
      return { ...prev, argumentsDelta: text };
    case 'tool_response':
    case 'reasoning_content':
      return { ...prev, contentDelta: text };
    case 'reasoning_summary':
      return { ...prev, summaryDelta: text };
  }
}

const STRING_FIELDS: Readonly<Record<MessageDelta['type'], readonly string[]>> = {
  text: ['textDelta'],
  data: ['dataDelta'],
  tool_request: ['toolCallId', 'name', 'argumentsDelta'],
  tool_response: ['toolCallId', 'name', 'contentDelta'],
  reasoning_summary: ['summaryDelta'],
  reasoning_content: ['contentDelta'],
};

/** Throws `INVALID_ARGUMENT` unless `delta` is a well-formed {@link MessageDelta}. */
export function assertDelta(delta: unknown): asserts delta is MessageDelta {
  const bad = (why: string): never => {
    throw new TaskStreamError('INVALID_ARGUMENT', `invalid message delta: ${why}`, { details: { delta } });
  };
  if (typeof delta !== 'object' || delta === null) bad('not an object');
  const record = delta as Record<string, unknown>;
  const type = record['type'];
  if (typeof type !== 'string' || !Object.hasOwn(STRING_FIELDS, type)) bad(`unknown type ${JSON.stringify(type)}`);
  for (const field of STRING_FIELDS[type as MessageDelta['type']]) {
    if (typeof record[field] !== 'string') bad(`${field} must be a string`);
  }
  if (type === 'reasoning_summary' && !Number.isSafeInteger(record['summaryIndex'])) bad('summaryIndex must be an integer');
  if (type === 'reasoning_content' && !Number.isSafeInteger(record['contentIndex'])) bad('contentIndex must be an integer');
}
