import { TaskStreamError } from '../../domain/errors.js';
import { TERMINAL_TASK_STATUSES, type SubscriptionItem, type TaskEvent } from '../../domain/events.js';
import { encodeSseFrame, type SseFrame } from './sse-frame.js';

/**
 * The SSE events the handler sends besides the task's own (`start`, `delta`, `full`, `done`,
 * `task_updated`, `error`, `decode_error`, `gap`, each named by its `type`):
 * - `connected` (id = the start cursor): sent once the cursor is fixed; nothing written after it is missed.
 * - `end`: the task reached a terminal status; the server closes the response after it.
 * - `error` with `type: "stream_error"` (no id): a backend read failed. With `terminal: false` the
 *   handler retries after `retryInMs`; with `terminal: true` retrying cannot help and the response ends.
 */
export type SseControlEvent =
  | { readonly type: 'connected'; readonly taskId: string; readonly cursor: string; readonly resumed: boolean }
  | { readonly type: 'end'; readonly reason: 'terminal'; readonly status: string }
  | { readonly type: 'stream_error'; readonly code: string; readonly message: string; readonly retryInMs: number; readonly terminal: boolean };

/** Characters of each raw field a `decode_error` event carries; the rest is cut (`truncated: true`). */
export const RAW_PREVIEW_CHARS = 4096;

/** The frame of one subscription item. `gap` frames carry no id, so a reconnect still reports the gap. */
export function itemFrame(item: SubscriptionItem): SseFrame {
  const event = item.event;
  switch (event.type) {
    case 'gap':
      return { event: 'gap', data: event };
    case 'decode_error':
      return decodeErrorFrame(item.id, event.error.code, event.error.message, event.raw);
    default:
      return { id: item.id, event: event.type, data: event };
  }
}

function decodeErrorFrame(id: string, code: string, message: string, raw: Readonly<Record<string, string>> | undefined): SseFrame {
  const preview: Record<string, string> = {};
  let truncated = false;
  for (const [key, value] of Object.entries(raw ?? {})) {
    const text = typeof value === 'string' ? value : String(value);
    if (text.length > RAW_PREVIEW_CHARS) truncated = true;
    Object.defineProperty(preview, key, { value: text.slice(0, RAW_PREVIEW_CHARS), enumerable: true, writable: true, configurable: true });
  }
  return { id, event: 'decode_error', data: { type: 'decode_error', code, message, raw: preview, ...(truncated ? { truncated } : {}) } };
}

/**
 * The SSE bytes of one item. An event the edge cannot forward (nested deeper than the JSON depth
 * limit, or holding a value JSON cannot carry) becomes a `decode_error` event with the same id,
 * so the stream goes on after it and the id is still delivered.
 */
export function itemBytes(item: SubscriptionItem, onRefused?: (reason: string) => void): Uint8Array {
  try {
    return encodeSseFrame(itemFrame(item));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    onRefused?.(reason);
    const frame = decodeErrorFrame(item.id, 'DECODE_FAILED', `entry ${item.id} cannot be forwarded: ${reason}`, undefined);
    try {
      return encodeSseFrame(frame);
    } catch {
      return encodeSseFrame({ event: 'decode_error', data: { type: 'decode_error', code: 'DECODE_FAILED', message: 'entry cannot be forwarded', raw: {} } });
    }
  }
}

/** The `connected` frame; its id is the cursor so a reconnect before any event resumes from it. */
export function connectedFrame(taskId: string, cursor: string, resumed: boolean): SseFrame {
  const data: SseControlEvent = { type: 'connected', taskId, cursor, resumed };
  return { id: cursor, event: 'connected', data };
}

/** The `end` frame sent before the response closes on a terminal status. */
export function endFrame(status: string): SseFrame {
  const data: SseControlEvent = { type: 'end', reason: 'terminal', status };
  return { event: 'end', data };
}

// What a client is told about a backend failure: never the backend's own text (it can name keys, hosts, commands).
const PUBLIC_MESSAGES: Readonly<Record<string, string>> = {
  BACKEND_UNAVAILABLE: 'the event store is unreachable',
  BACKEND_AUTH: 'the server could not authenticate to the event store',
  BACKEND_COMMAND: "the event store refused to read this task's stream",
  CLOSED: 'the server is shutting down',
  ABORTED: 'the read was stopped',
};

/** The `error` frame for a failed backend read; `terminal` when the response ends after it. */
export function streamErrorFrame(err: unknown, retryInMs: number, terminal: boolean): SseFrame {
  const typed = err instanceof TaskStreamError ? err : undefined;
  const code = typed?.code ?? 'BACKEND_UNAVAILABLE';
  // Our own validation errors (a resume point, an id) are the client's input and safe to repeat.
  const message = PUBLIC_MESSAGES[code] ?? (typed?.message.slice(0, 200) ?? PUBLIC_MESSAGES['BACKEND_UNAVAILABLE']!);
  const data: SseControlEvent = { type: 'stream_error', code, message, retryInMs, terminal };
  return { event: 'error', data };
}

/** The terminal status of a task event, or undefined when it is not terminal. */
export function terminalStatus(event: SubscriptionItem['event']): string | undefined {
  if (event.type !== 'task_updated') return undefined;
  const status = (event as TaskEvent & { type: 'task_updated' }).status;
  return TERMINAL_TASK_STATUSES.has(status) ? status : undefined;
}
