import type { TaskEvent } from './events.js';

/**
 * The key that groups a task's events by message, for readers (tallies, UIs, gap detection).
 *
 * - `index:<n>` when the event carries an `index` (taskstream always writes one; agentex's sync
 *   publishers do too).
 * - `parent:<id>` otherwise: agentex's async publishers leave `index` null and its coalescing
 *   drops it (the decoder reads that as `-1`), so `parent_task_message.id` is what correlates
 *   their events.
 * - `undefined` for task-level events (`task_updated`, `error`) and for a message event with
 *   neither (nothing ties it to a message).
 *
 * It works on the events the SSE edge sends too (their JSON is the event). Limit: a message
 * whose events mix both forms (some with an index, some without) gets two keys.
 */
export function messageKeyOf(event: TaskEvent): string | undefined {
  // Self-contained on purpose (no helpers, no imports): the serve page embeds its source.
  if (event.type !== 'start' && event.type !== 'delta' && event.type !== 'full' && event.type !== 'done') return undefined;
  if (Number.isSafeInteger(event.index) && event.index >= 0) return 'index:' + String(event.index);
  const parent = event.parentTaskMessage;
  const id = typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>)['id'] : undefined;
  return typeof id === 'string' && id.length > 0 ? 'parent:' + id : undefined;
}
