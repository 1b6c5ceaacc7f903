import type { ExtraFields, TaskEvent } from './events.js';

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
 * Limit: a message whose events mix both forms (some with an index, some without) gets two keys.
 */
export function messageKeyOf(event: TaskEvent): string | undefined {
  if (event.type !== 'start' && event.type !== 'delta' && event.type !== 'full' && event.type !== 'done') return undefined;
  if (Number.isSafeInteger(event.index) && event.index >= 0) return `index:${event.index}`;
  const id = parentIdOf(event.parentTaskMessage);
  return id === undefined ? undefined : `parent:${id}`;
}

function parentIdOf(parent: ExtraFields | null | undefined): string | undefined {
  if (parent === null || parent === undefined || typeof parent !== 'object') return undefined;
  const id = (parent as Record<string, unknown>)['id'];
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}
