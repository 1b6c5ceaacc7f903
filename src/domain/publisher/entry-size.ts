import type { EventCodec } from '../codec/event-codec.js';
import { TaskStreamError } from '../errors.js';
import type { MessageDelta } from '../events.js';
import { deltaText } from './delta-merge.js';

/** Longest bytes one escaped code unit (or pair) takes in a JSON string: `\uXXXX`. */
const MAX_UNIT_BYTES = 6;

/**
 * Bytes `text` takes once written inside a JSON string in UTF-8: quotes, backslashes and control
 * characters escaped, a surrogate pair 4 bytes, a lone surrogate 6 (`\uXXXX`). Additive over
 * concatenation except that it counts a pair split across two pieces as two lone surrogates (more, never less).
 */
export function jsonStringBytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) bytes += unitBytes(text, i) ?? (i++, 4);
  return bytes;
}

/** Bytes of the code unit at `i`, or `undefined` when it starts a surrogate pair (4 bytes for the pair). */
function unitBytes(text: string, i: number): number | undefined {
  const c = text.charCodeAt(i);
  if (c === 0x22 || c === 0x5c) return 2;
  if (c < 0x20) return c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    return next >= 0xdc00 && next <= 0xdfff ? undefined : 6;
  }
  if (c >= 0xdc00 && c <= 0xdfff) return 6;
  return 3;
}

/** Bytes of a delta's string fields other than its streamed text (a tool call's id and name). */
export function metadataBytes(delta: MessageDelta): number {
  return delta.type === 'tool_request' || delta.type === 'tool_response' ? jsonStringBytes(delta.toolCallId) + jsonStringBytes(delta.name) : 0;
}

/** The size {@link splitDelta} bounds: the delta's text and its other string fields, JSON-escaped, in UTF-8 bytes. */
export function deltaBytes(delta: MessageDelta): number {
  return jsonStringBytes(deltaText(delta)) + metadataBytes(delta);
}

function withText(delta: MessageDelta, text: string): MessageDelta {
  switch (delta.type) {
    case 'text':
      return { ...delta, textDelta: text };
    case 'data':
      return { ...delta, dataDelta: text };
    case 'tool_request':
      return { ...delta, argumentsDelta: text };
    case 'tool_response':
    case 'reasoning_content':
      return { ...delta, contentDelta: text };
    case 'reasoning_summary':
      return { ...delta, summaryDelta: text };
  }
}

function tooLarge(what: string, bytes: number, maxEntryBytes: number): TaskStreamError {
  return new TaskStreamError('INVALID_ARGUMENT', `${what} is ${bytes} bytes, over maxEntryBytes (${maxEntryBytes}, TASKSTREAM_MAX_ENTRY_BYTES)`, {
    details: { bytes, maxEntryBytes },
  });
}

/**
 * Splits a delta whose {@link deltaBytes} exceed `maxEntryBytes` into consecutive deltas of the
 * same kind (same tool call, same reasoning index) whose texts concatenate to the original and
 * each fit; a cut never falls inside a surrogate pair. A delta that fits comes back alone.
 * Throws `INVALID_ARGUMENT` when its other fields (tool call id and name) leave no room for text.
 */
export function splitDelta(delta: MessageDelta, maxEntryBytes: number): MessageDelta[] {
  const text = deltaText(delta);
  const meta = metadataBytes(delta);
  if (!mayExceed(delta, maxEntryBytes)) return [delta];
  const budget = maxEntryBytes - meta;
  if (budget < MAX_UNIT_BYTES) throw tooLarge(`the tool call id and name of a ${delta.type} delta`, meta, maxEntryBytes);
  const pieces: MessageDelta[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const single = unitBytes(text, i);
    const width = single ?? 4;
    if (bytes + width > budget) {
      pieces.push(withText(delta, text.slice(start, i)));
      start = i;
      bytes = 0;
    }
    bytes += width;
    if (single === undefined) i++;
  }
  if (pieces.length === 0) return [delta];
  pieces.push(withText(delta, text.slice(start)));
  return pieces;
}

/** False when `delta` surely fits `maxEntryBytes` (6 bytes a code unit), so {@link splitDelta} would return it alone. */
export function mayExceed(delta: MessageDelta, maxEntryBytes: number): boolean {
  return metadataBytes(delta) + deltaText(delta).length * MAX_UNIT_BYTES > maxEntryBytes;
}

/** Bytes of an encoded entry: every field name and value, in UTF-8. */
export function entryBytes(fields: Readonly<Record<string, string>>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(fields)) bytes += utf8Bytes(key) + utf8Bytes(value);
  return bytes;
}

/** UTF-8 bytes of `text` (a lone surrogate as the 3 bytes of U+FFFD). */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * `codec` refusing to encode an event other than a delta (start, full, done, task events) whose
 * entry would exceed `maxEntryBytes`: it throws `INVALID_ARGUMENT` naming the limit, which the
 * publisher raises at the call (nothing is queued). Deltas pass: the coalescing buffer splits them.
 */
export function limitEntrySize(codec: EventCodec, maxEntryBytes: number): EventCodec {
  if (!Number.isFinite(maxEntryBytes)) return codec;
  return {
    decode: (entry) => codec.decode(entry),
    encode(event, taskId) {
      const fields = codec.encode(event, taskId);
      if (event.type !== 'delta') {
        const bytes = entryBytes(fields);
        if (bytes > maxEntryBytes) throw tooLarge(`a ${event.type} event`, bytes, maxEntryBytes);
      }
      return fields;
    },
  };
}

/**
 * The sizes of the runs a coalescing buffer holds, kept cheap on the hot path: a run is counted
 * at an upper bound (6 bytes a code unit) while that stays within `max`, and measured exactly
 * (once, then kept exact) only when the bound would cross it.
 */
export class RunSizes {
  readonly #max: number;
  readonly #bytes: number[] = [];
  readonly #exact: boolean[] = [];

  constructor(max: number) {
    this.#max = max;
  }

  /** Records a new run. */
  push(piece: MessageDelta): void {
    const upper = deltaText(piece).length * MAX_UNIT_BYTES + metadataBytes(piece);
    const exact = upper > this.#max;
    this.#bytes.push(exact ? deltaBytes(piece) : upper);
    this.#exact.push(exact);
  }

  /** True, and recorded, when `piece` appended to the last run (`run`) keeps it within `max`. */
  tryMerge(run: MessageDelta, piece: MessageDelta): boolean {
    const at = this.#bytes.length - 1;
    let bytes = this.#bytes[at] ?? 0;
    if (!this.#exact[at]) {
      const upper = bytes + deltaText(piece).length * MAX_UNIT_BYTES;
      if (upper <= this.#max) {
        this.#bytes[at] = upper;
        return true;
      }
      bytes = deltaBytes(run);
      this.#exact[at] = true;
    }
    const merged = bytes + jsonStringBytes(deltaText(piece));
    this.#bytes[at] = merged <= this.#max ? merged : bytes;
    return merged <= this.#max;
  }

  clear(): void {
    // emptied in place: cleared on every take, and never handed out
    this.#bytes.length = 0;
    this.#exact.length = 0;
  }
}
