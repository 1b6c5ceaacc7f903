import { topicFor } from '../config.js';
import { TaskStreamError } from '../errors.js';
import type { TaskErrorEvent, TaskUpdatedEvent } from '../events.js';
import { PublishQueue } from './publish-queue.js';
import type { PublishingDeps } from './publishing-deps.js';

/** Task-level event without its sequence number. */
export type TaskEventBody = Omit<TaskUpdatedEvent, 'seq'> | Omit<TaskErrorEvent, 'seq'>;

/** What a {@link TaskEventWriter} needs. */
export interface TaskEventWriterOptions extends PublishingDeps {
  readonly publisherId: string;
}

interface TaskProducer {
  readonly queue: PublishQueue;
  nextSeq: number;
}

/**
 * Appends task-level events (`task_updated`, `error`) in call order per task, idempotently. Each
 * task gets a producer (`<publisherId>:t<n>`) that lives while it has work; once idle it is
 * dropped, so a long-lived publisher holds nothing for quiet tasks, and the next event starts
 * a fresh producer id (its sequences restart at 0 without colliding).
 */
export class TaskEventWriter {
  readonly #options: TaskEventWriterOptions;
  readonly #producers = new Map<string, TaskProducer>();
  #count = 0;

  constructor(options: TaskEventWriterOptions) {
    this.#options = options;
  }

  /** Appends one event to the task's stream; resolves once appended, rejects `PUBLISH_FAILED`. */
  write(taskId: string, body: TaskEventBody): Promise<void> {
    const seq = this.#producers.get(taskId)?.nextSeq ?? 0;
    let fields;
    try {
      fields = this.#options.codec.encode({ ...body, seq } as TaskUpdatedEvent | TaskErrorEvent, taskId);
    } catch (err) {
      // The caller's value (a reserved field key, say): nothing was queued, no sequence used.
      if (TaskStreamError.is(err, 'INVALID_ARGUMENT')) return Promise.reject(err);
      return Promise.reject(
        new TaskStreamError('PUBLISH_FAILED', `could not encode a ${body.type} event: ${err instanceof Error ? err.message : String(err)}`, { cause: err, details: { taskId } }),
      );
    }
    const producer = this.#producer(taskId);
    producer.nextSeq++;
    producer.queue.enqueue([{ seq, fields }]);
    return producer.queue.waitFor(seq);
  }

  /** Resolves when every task event written so far is appended (failures were already reported to their callers). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#producers.values()].map((p) => p.queue.waitFor(p.nextSeq - 1)));
  }

  #producer(taskId: string): TaskProducer {
    const existing = this.#producers.get(taskId);
    if (existing !== undefined) return existing;
    const o = this.#options;
    const forget = (): void => {
      if (this.#producers.get(taskId) === producer) this.#producers.delete(taskId);
    };
    const producer: TaskProducer = {
      nextSeq: 0,
      queue: new PublishQueue({
        repository: o.repository,
        clock: o.clock,
        logger: o.logger,
        topic: topicFor(taskId, o.settings.keyPrefix),
        producerId: `${o.publisherId}:t${this.#count++}`,
        maxLen: o.settings.maxLen,
        ttlSeconds: o.settings.ttlSeconds,
        retry: o.retry,
        maxBatch: o.maxBatchEntries,
        onIdle: forget,
        onFailure: (error) => {
          forget();
          o.onError(error);
        },
      }),
    };
    this.#producers.set(taskId, producer);
    return producer;
  }
}
