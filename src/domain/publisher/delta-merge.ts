import type { MessageDelta } from '../events.js';

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
