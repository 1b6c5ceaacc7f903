import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StreamRepository } from '../../ports/stream-repository.js';
import { agentexCodec } from '../codec/agentex-codec.js';
import type { EventCodec } from '../codec/event-codec.js';
import { resolveSettings, topicFor, type StreamSettings } from '../config.js';
import { requireIntegerArgument, requireNonNegativeInteger } from '../validation.js';
import { TaskStreamError } from '../errors.js';
import { TERMINAL_TASK_STATUSES, type ExtraFields, type MessageContent } from '../events.js';
import { limitEntrySize } from './entry-size.js';
import { MessageIndices } from './message-indices.js';
import { validateFields, validateParentTaskMessage, validateTaskUpdate } from '../codec/validate-event.js';
import { MessageContextImpl, type MessageContext } from './message-context.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './publish-queue.js';
import type { PublishingDeps } from './publishing-deps.js';
import { TaskEventWriter } from './task-event-writer.js';

/** Options of {@link createDomainPublisher}. */
export interface PublisherOptions {
  /** Where events are appended. Not closed by {@link Publisher.close} (it belongs to the caller). */
  readonly repository: StreamRepository;
  /** Turns events into entry fields. @default agentexCodec (agentex's wire format) */
  readonly codec?: EventCodec;
  /** Every timer and timestamp (flush window, retry backoff). Pass `systemClock` in production, `FakeClock` in tests. */
  readonly clock: Clock;
  /** Retries and failures are logged here. `createPublisher` passes `consoleLogger` unless given one. */
  readonly logger: Logger;
  /** Retention and batching; merged over `DEFAULT_SETTINGS` and validated (`INVALID_CONFIG`). @default DEFAULT_SETTINGS */
  readonly settings?: Partial<StreamSettings>;
  /** Called once per message or task producer whose appends failed for good (`PUBLISH_FAILED`). */
  readonly onError?: (error: TaskStreamError) => void;
  /** Makes this publisher's id, the root of every idempotency producer id. @default crypto.randomUUID */
  readonly idGenerator?: () => string;
  /** Retry of failed appends. @default DEFAULT_RETRY_POLICY (5 attempts, 50 ms doubling, capped at 2 s) */
  readonly retry?: Partial<RetryPolicy>;
  /** In `off`/`per_token` modes, buffered deltas above which mergeable deltas merge anyway (bounds memory under a slow backend). @default 1024 */
  readonly maxPendingEntries?: number;
  /** Most entries per append in `per_token`/`coalesced` modes. @default 256 */
  readonly maxBatchEntries?: number;
}

/** Options of {@link Publisher.open}. */
export interface OpenOptions {
  /**
   * The message's index in the task. @default the next free index of the task in this publisher
   * (0, 1, 2, …); numbering starts again at 0 after the task's terminal status, or once the task
   * has been idle (no open message, no event) longer than the stream TTL, when its stream is gone.
   * With `ttlSeconds` 0 only the 10 000 most recently used idle tasks are remembered: pass `index`
   * when a task can outlive that.
   */
  readonly index?: number;
  /** agentex's `parent_task_message`, carried on every event of the message. */
  readonly parentTaskMessage?: ExtraFields | null;
  /** When given, a `start` event (seq 0) is published at once. */
  readonly start?: MessageContent;
  /** Aborting closes the message (drain, then a synthesized `done`); the drain still finishes. */
  readonly signal?: AbortSignal;
}

/** Writes task events. One per process is typical; it holds no timer while idle. */
export interface Publisher {
  /**
   * Opens a message of `taskId`. Throws `INVALID_ARGUMENT` (bad id/index), `DUPLICATE_MESSAGE`
   * (this publisher already opened that index of the task, since the task's last terminal status),
   * `ABORTED` (signal already aborted), `CLOSED`. Across publishers the store keeps one `done` per
   * message: the later one is refused with `AFTER_TERMINAL`.
   */
  open(taskId: string, options?: OpenOptions): MessageContext;
  /** Publishes a task status change; resolves once appended. */
  updateTask(taskId: string, status: string, fields?: ExtraFields): Promise<void>;
  /** Publishes a task-level error; resolves once appended. */
  error(taskId: string, message: string, fields?: ExtraFields): Promise<void>;
  /** Closes every open message (each gets its `done`) and waits for all appends. Idempotent. Rejects `PUBLISH_FAILED` if any failed. */
  close(): Promise<void>;
  /** This publisher's id (prefix of its producer ids). */
  readonly id: string;
  /** The resolved settings. */
  readonly settings: StreamSettings;
}

function defaultId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Creates a {@link Publisher} on the given clock. Throws `INVALID_CONFIG` for bad settings or limits.
 * Callers use the package's `createPublisher` (src/defaults.ts), which defaults the clock.
 */
export function createDomainPublisher(options: PublisherOptions): Publisher {
  const settings = resolveSettings(options.settings);
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...stripUndefined(options.retry ?? {}) };
  requireNonNegativeInteger('retry.maxAttempts', retry.maxAttempts, 1);
  requireNonNegativeInteger('retry.baseDelayMs', retry.baseDelayMs);
  requireNonNegativeInteger('retry.maxDelayMs', retry.maxDelayMs);
  const maxPendingEntries = requireNonNegativeInteger('maxPendingEntries', options.maxPendingEntries ?? 1024, 1);
  const maxBatchEntries = requireNonNegativeInteger('maxBatchEntries', options.maxBatchEntries ?? 256, 1);
  const logger = options.logger;
  const id = (options.idGenerator ?? defaultId)();
  if (options.repository.capabilities?.idempotentAppend === false) {
    logger.warn('taskstream: the backend does not honour idempotent appends; a retry after an ambiguous failure may duplicate entries', { publisherId: id });
  }
  const { repository, clock } = options;
  const codec = limitEntrySize(options.codec ?? agentexCodec, settings.maxEntryBytes);
  const onError = (error: TaskStreamError): void => {
    logger.error('taskstream: publish failed', { error: error.message, ...error.details });
    try {
      options.onError?.(error);
    } catch (err) {
      logger.error('taskstream: onError callback threw', { error: String(err) });
    }
  };

  const open = new Set<MessageContextImpl>();
  const indices = new MessageIndices(clock, settings.ttlSeconds);
  const deps: PublishingDeps = { repository, codec, clock, logger, settings, retry, maxBatchEntries, onError };
  const taskWriter = new TaskEventWriter({ ...deps, publisherId: id });
  let contextCount = 0;
  let closePromise: Promise<void> | undefined;

  const assertOpen = (what: string): void => {
    if (closePromise !== undefined) throw new TaskStreamError('CLOSED', `${what} on a closed publisher`);
  };

  return {
    id,
    settings,
    open(taskId, openOptions = {}) {
      assertOpen('open()');
      const topic = topicFor(taskId, settings.keyPrefix);
      if (openOptions.signal?.aborted) {
        throw new TaskStreamError('ABORTED', `open() with an aborted signal (task ${taskId})`, { cause: openOptions.signal.reason });
      }
      const index = openOptions.index ?? indices.next(taskId);
      requireIntegerArgument('index', index, 0, { taskId });
      if (indices.wasOpened(taskId, index)) {
        throw new TaskStreamError('DUPLICATE_MESSAGE', `message ${index} of task ${taskId} was already opened by this publisher; a second context would write a second done`, {
          details: { taskId, index },
        });
      }
      validateParentTaskMessage(openOptions.parentTaskMessage);
      const context: MessageContextImpl = new MessageContextImpl(
        {
          taskId,
          topic,
          index,
          producerId: `${id}:m${index}:${contextCount++}`,
          parentTaskMessage: openOptions.parentTaskMessage,
          ...deps,
          maxPendingEntries,
          onSettled: () => {
            open.delete(context);
            indices.settled(taskId);
          },
        },
        openOptions.start,
        openOptions.signal,
      );
      indices.opened(taskId, index);
      open.add(context);
      return context;
    },
    async updateTask(taskId, status, fields = {}) {
      assertOpen('updateTask()');
      validateTaskUpdate(status, fields);
      if (TERMINAL_TASK_STATUSES.has(status)) indices.forget(taskId);
      else indices.used(taskId);
      return taskWriter.write(taskId, { type: 'task_updated', status, fields });
    },
    async error(taskId, message, fields = {}) {
      assertOpen('error()');
      if (typeof message !== 'string') {
        throw new TaskStreamError('INVALID_ARGUMENT', 'error message must be a string', { details: { taskId } });
      }
      validateFields(fields);
      indices.used(taskId);
      return taskWriter.write(taskId, { type: 'error', message, fields });
    },
    close() {
      closePromise ??= closeAll([...open].map((c) => c.close()), taskWriter.drain());
      return closePromise;
    },
  };
}

async function closeAll(closing: Promise<void>[], tasks: Promise<void>): Promise<void> {
  const results = await Promise.allSettled([...closing, tasks]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 0) return;
  const first = failures[0];
  throw new TaskStreamError('PUBLISH_FAILED', `publisher close: ${failures.length} producer(s) failed; first: ${first instanceof Error ? first.message : String(first)}`, {
    cause: first,
    details: { failures: failures.length },
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
