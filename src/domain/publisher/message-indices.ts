import type { Clock } from '../../ports/clock.js';

interface TaskIndices {
  /** The index `open()` without one gives next. */
  next: number;
  /** Messages of the task not yet settled. */
  open: number;
  /** Last open, settle or task event, on the clock. */
  lastUsedMs: number;
  /** Indexes opened, so a second context for one message is refused. */
  readonly opened: Set<number>;
}

/** With `ttlSeconds` 0 (streams never expire), idle tasks kept before the least recently used is forgotten. */
export const MAX_IDLE_TASKS_WITHOUT_TTL = 10_000;

/** Entries a sweep looks at per call: the cost of forgetting stays constant per `open()`. */
const SWEEP_STEPS = 8;

/**
 * The next free message index of each task, for `Publisher.open` without an `index`, and the
 * indexes already opened (a second context for one message is refused). Bounded: a
 * task is forgotten at its terminal status, or once it has had no open message and no event for
 * longer than the stream TTL (its stream has expired by then, so numbering again from 0 is what a
 * fresh stream wants). With `ttlSeconds` 0, at most {@link MAX_IDLE_TASKS_WITHOUT_TTL} idle tasks
 * are kept, the least recently used forgotten first. A task with an open message is never forgotten.
 */
export class MessageIndices {
  // Map order is least recently used first: every use moves a task to the end.
  readonly #tasks = new Map<string, TaskIndices>();
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxIdleWithoutTtl: number;

  constructor(clock: Clock, ttlSeconds: number, maxIdleWithoutTtl = MAX_IDLE_TASKS_WITHOUT_TTL) {
    this.#clock = clock;
    this.#ttlMs = ttlSeconds * 1000;
    this.#maxIdleWithoutTtl = maxIdleWithoutTtl;
  }

  /** Tasks remembered (for tests and metrics). */
  get size(): number {
    return this.#tasks.size;
  }

  /** The index for a message of `taskId` opened without one. */
  next(taskId: string): number {
    this.#sweep();
    return this.#lookup(taskId)?.next ?? 0;
  }

  /** A message of `taskId` with `index` was opened. */
  opened(taskId: string, index: number): void {
    const task = this.#touch(taskId) ?? { next: 0, open: 0, lastUsedMs: this.#clock.now(), opened: new Set<number>() };
    task.next = Math.max(task.next, index + 1);
    task.open++;
    task.opened.add(index);
    this.#tasks.set(taskId, task);
  }

  /** Whether a message of `taskId` with `index` was opened (and the task not forgotten since). */
  wasOpened(taskId: string, index: number): boolean {
    return this.#lookup(taskId)?.opened.has(index) ?? false;
  }

  /** A message of `taskId` has settled (its `done` or its failure). */
  settled(taskId: string): void {
    const task = this.#touch(taskId);
    if (task !== undefined) task.open = Math.max(0, task.open - 1);
  }

  /** A task-level event was written: its stream lives on. */
  used(taskId: string): void {
    this.#touch(taskId);
    this.#sweep();
  }

  /** The task reached a terminal status: its numbering is done. */
  forget(taskId: string): void {
    this.#tasks.delete(taskId);
  }

  /** The task's numbering, unless it has been idle past the TTL (its stream is gone): then it is forgotten here. */
  #lookup(taskId: string): TaskIndices | undefined {
    const task = this.#tasks.get(taskId);
    if (task === undefined || !this.#idlePastTtl(task)) return task;
    this.#tasks.delete(taskId);
    return undefined;
  }

  #idlePastTtl(task: TaskIndices): boolean {
    return task.open === 0 && this.#ttlMs > 0 && this.#clock.now() - task.lastUsedMs > this.#ttlMs;
  }

  #touch(taskId: string): TaskIndices | undefined {
    const task = this.#lookup(taskId);
    if (task === undefined) return undefined;
    task.lastUsedMs = this.#clock.now();
    this.#tasks.delete(taskId);
    this.#tasks.set(taskId, task);
    return task;
  }

  #sweep(): void {
    let steps = 0;
    for (const [taskId, task] of this.#tasks) {
      if (steps++ >= SWEEP_STEPS) return;
      if (task.open > 0) continue;
      const expired = this.#ttlMs > 0 ? this.#idlePastTtl(task) : this.#tasks.size > this.#maxIdleWithoutTtl;
      if (!expired) return;
      this.#tasks.delete(taskId);
    }
  }
}
