import { TaskStreamError } from '../../domain/errors.js';
import { TERMINAL_TASK_STATUSES, type SubscriptionItem, type TaskEvent } from '../../domain/events.js';
import type { SseFrame } from './sse-frame.js';

/**
 * The SSE events the handler sends besides the task's own (`start`, `delta`, `full`, `done`,
 * `task_updated`, `error`, `decode_error`, `gap`, each named by its `type`):
 * - `connected` (id = the start cursor): sent once the cursor is fixed; nothing written after it is missed.
 * - `end`: the task reached a terminal status; the server closes the response after it.
 * - `error` with `type: "stream_error"` (no id): a backend read failed; the handler retries after `retryInMs`.
 */
export type SseControlEvent =
  | { readonly type: 'connected'; readonly taskId: string; readonly cursor: string; readonly resumed: boolean }
  | { readonly type: 'end'; readonly reason: 'terminal'; readonly status: string }
  | { readonly type: 'stream_error'; readonly code: string; readonly message: string; readonly retryInMs: number };

/** The frame of one subscription item. `gap` frames carry no id, so a reconnect still reports the gap. */
export function itemFrame(item: SubscriptionItem): SseFrame {
  const event = item.event;
  switch (event.type) {
    case 'gap':
      return { event: 'gap', data: event };
    case 'decode_error':
      return {
        id: item.id,
        event: 'decode_error',
        data: { type: 'decode_error', code: event.error.code, message: event.error.message, raw: event.raw },
      };
    default:
      return { id: item.id, event: event.type, data: event };
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

/** The `error` frame for a failed backend read. */
export function streamErrorFrame(err: unknown, retryInMs: number): SseFrame {
  const code = err instanceof TaskStreamError ? err.code : 'BACKEND_UNAVAILABLE';
  const message = err instanceof Error ? err.message : String(err);
  const data: SseControlEvent = { type: 'stream_error', code, message, retryInMs };
  return { event: 'error', data };
}

/** The terminal status of a task event, or undefined when it is not terminal. */
export function terminalStatus(event: SubscriptionItem['event']): string | undefined {
  if (event.type !== 'task_updated') return undefined;
  const status = (event as TaskEvent & { type: 'task_updated' }).status;
  return TERMINAL_TASK_STATUSES.has(status) ? status : undefined;
}
