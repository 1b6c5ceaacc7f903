import { requireIntegerArgument } from '../../domain/validation.js';
import { TaskStreamError } from '../../domain/errors.js';
import { jsonPieces, stringifyJson } from './safe-json.js';

/** One server-sent event, before framing. */
export interface SseFrame {
  /** The `id:` field (what the browser sends back as `Last-Event-ID`); omitted when undefined. */
  readonly id?: string;
  /** The `event:` field; omitted when undefined (the client then sees a `message` event). */
  readonly event?: string;
  /** The payload: serialized as JSON on one `data:` line. */
  readonly data: unknown;
}

const LINE_BREAK = /\r\n|\r|\n/;
const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
// \0 in an id makes the browser ignore the field; CR/LF would end it early.
const UNSAFE_ID = /[\r\n\0]/;

/**
 * JSON text that is safe on one SSE line: JSON escapes CR, LF, NUL and lone surrogates;
 * U+2028/U+2029 are escaped too, for line splitters that treat them as breaks. Serialized
 * without recursion ({@link stringifyJson}): a value nested deeper than 512 levels throws
 * `DECODE_FAILED` instead of overflowing the stack.
 */
export function sseJson(value: unknown): string {
  return escapeLineSeparators(stringifyJson(value));
}

/**
 * `data:` lines for arbitrary text: every line break (CR, LF or CRLF) starts a new `data:` line,
 * so a payload can never end the frame or inject a field. The client rejoins lines with `\n`.
 */
export function sseDataLines(text: string): string {
  return text
    .split(LINE_BREAK)
    .map((line) => `data: ${line}\n`)
    .join('');
}

function frameHeader(frame: SseFrame): string {
  let out = '';
  if (frame.id !== undefined) {
    if (UNSAFE_ID.test(frame.id)) {
      throw new TaskStreamError('INVALID_ARGUMENT', 'SSE id must not contain CR, LF or NUL', { details: { id: frame.id } });
    }
    out += `id: ${frame.id}\n`;
  }
  if (frame.event !== undefined) {
    if (!EVENT_NAME.test(frame.event)) {
      throw new TaskStreamError('INVALID_ARGUMENT', `SSE event name must match ${EVENT_NAME.source}`, { details: { event: frame.event } });
    }
    out += `event: ${frame.event}\n`;
  }
  return out;
}

/**
 * Serializes one event as an SSE frame: `id:`, `event:`, one `data:` line of JSON, blank line.
 * Throws `INVALID_ARGUMENT` for an id or event name that could break the frame.
 */
export function formatSseFrame(frame: SseFrame): string {
  // JSON text has no raw line break (JSON escapes CR and LF): it is one `data:` line as it is.
  return `${frameHeader(frame)}data: ${sseJson(frame.data)}\n\n`;
}

const encoder = new TextEncoder();
// Below this many characters a frame is joined and encoded at once; above, piece by piece.
const PIECEWISE_CHARS = 65_536;

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3; // other BMP characters, and a lone surrogate (encoded as U+FFFD)
  }
  return bytes;
}

/**
 * The bytes of {@link formatSseFrame}. A large frame is encoded piece by piece into one buffer
 * of its exact size, so a 20 MB payload costs its escaped text and its bytes, not also a joined
 * and a flattened copy of the whole frame.
 */
export function encodeSseFrame(frame: SseFrame): Uint8Array {
  const pieces = [`${frameHeader(frame)}data: `, ...jsonPieces(frame.data).map(escapeLineSeparators), '\n\n'];
  let chars = 0;
  for (const piece of pieces) chars += piece.length;
  if (chars < PIECEWISE_CHARS) return encoder.encode(pieces.join(''));
  let total = 0;
  for (const piece of pieces) total += utf8Length(piece);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) offset += encoder.encodeInto(piece, bytes.subarray(offset)).written;
  return offset === total ? bytes : bytes.slice(0, offset);
}

function escapeLineSeparators(text: string): string {
  return text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A comment line (ignored by clients): used for keep-alives. Line breaks in `text` are dropped. */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** The `retry:` field that tells an `EventSource` how long to wait before reconnecting. */
export function formatSseRetry(ms: number): string {
  requireIntegerArgument('retry', ms);
  return `retry: ${ms}\n\n`;
}
