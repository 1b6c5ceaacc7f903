import type { TaskStreamError } from '../../domain/errors.js';
import { compareCanonicalStreamIds, type StreamId } from '../../domain/stream-id.js';
import type { StreamEntry, TopicCursor, TopicEntries } from '../../ports/stream-repository.js';

/**
 * One pending read. The common case, one topic, keeps its cursor in `topic`/`afterId` and builds
 * no map; a multi-topic read keeps `cursors`.
 */
export class Waiter {
  readonly topic: string | undefined;
  readonly afterId: StreamId | undefined;
  readonly cursors: ReadonlyMap<string, StreamId> | undefined;
  readonly count: number;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  /** Resolved with its topic's entries alone (a one-topic read), not a list of per-topic results. */
  readonly entriesOnly: boolean;
  readonly resolve: (result: readonly TopicEntries[] | readonly StreamEntry[]) => void;
  readonly reject: (error: TaskStreamError) => void;

  constructor(
    cursors: readonly TopicCursor[] | { readonly topic: string; readonly afterId: StreamId; readonly entriesOnly: boolean },
    count: number,
    deadline: number,
    signal: AbortSignal | undefined,
    resolve: (result: never) => void,
    reject: (error: TaskStreamError) => void,
  ) {
    if (!Array.isArray(cursors)) {
      const one = cursors as { readonly topic: string; readonly afterId: StreamId; readonly entriesOnly: boolean };
      this.topic = one.topic;
      this.afterId = one.afterId;
      this.entriesOnly = one.entriesOnly;
    } else if (cursors.length === 1) {
      this.topic = cursors[0]!.topic;
      this.afterId = cursors[0]!.afterId;
      this.entriesOnly = false;
    } else {
      this.cursors = new Map(cursors.map((c) => [c.topic, c.afterId]));
      this.entriesOnly = false;
    }
    this.count = count;
    this.deadline = deadline;
    this.signal = signal;
    this.resolve = resolve as Waiter['resolve'];
    this.reject = reject;
  }

  /** This waiter's cursor for `topic`, or undefined when it does not read it. */
  cursorOf(topic: string): StreamId | undefined {
    return this.cursors === undefined ? (topic === this.topic ? this.afterId : undefined) : this.cursors.get(topic);
  }
}

/** Whether the plan reads every topic of the waiter from its cursor or earlier. */
export function covers(plan: ReadonlyMap<string, StreamId>, waiter: Waiter): boolean {
  if (waiter.cursors === undefined) return holds(plan, waiter.topic!, waiter.afterId!);
  for (const [topic, cursor] of waiter.cursors) if (!holds(plan, topic, cursor)) return false;
  return true;
}

/** Whether the plan reads `topic` from `cursor` or earlier. */
function holds(plan: ReadonlyMap<string, StreamId>, topic: string, cursor: StreamId): boolean {
  const held = plan.get(topic);
  return held !== undefined && compareCanonicalStreamIds(held, cursor) <= 0;
}

/** Whether the waiter reads any topic of the plan. */
export function readsAny(waiter: Waiter, plan: ReadonlyMap<string, StreamId>): boolean {
  if (waiter.cursors === undefined) return plan.has(waiter.topic!);
  for (const topic of waiter.cursors.keys()) if (plan.has(topic)) return true;
  return false;
}
