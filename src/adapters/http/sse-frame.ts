import { requireIntegerArgument } from '../../domain/validation.js';
import { TaskStreamError } from '../../domain/errors.js';

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
 * JSON text that is safe on one SSE line: `JSON.stringify` already escapes CR, LF, NUL and
 * lone surrogates; U+2028/U+2029 are escaped too, for line splitters that treat them as breaks.
 */
export function sseJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return 'null';
  return text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
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

/**
 * Serializes one event as an SSE frame: `id:`, `event:`, one `data:` line of JSON, blank line.
 * Throws `INVALID_ARGUMENT` for an id or event name that could break the frame.
 */
export function formatSseFrame(frame: SseFrame): string {
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
  return `${out}${sseDataLines(sseJson(frame.data))}\n`;
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
