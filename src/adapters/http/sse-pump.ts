import { sleep } from '../../domain/sleep.js';
import type { Logger } from '../../ports/logger.js';
import type { ResolvedSseOptions } from './sse-options.js';
import type { SseStart, SseSubscription } from './sse-source.js';
import type { SseWriter } from './sse-writer.js';
import type { SharedFrames } from './shared-frames.js';
import { formatSseFrame, formatSseRetry } from './sse-frame.js';
import { connectedFrame, endFrame, streamErrorFrame, terminalStatus } from './sse-events.js';
import { backoffDelay, isFinal, openWithin, type OpenRequest } from './sse-start.js';

/** State the pump starts from: the subscription opened, and its start fixed, before the response. */
export interface PumpStart {
  /** How to reopen (its `lastEventId` is replaced by the last id sent). */
  readonly request: OpenRequest;
  readonly subscription: SseSubscription;
  readonly start: SseStart;
  readonly resumed: boolean;
  /** Frames shared with the task's other readers. */
  readonly frames: SharedFrames;
  /** Rate-limited. */
  readonly logger: Logger | undefined;
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Streams one subscription into the writer: `retry:`, `connected`, then one frame per item,
 * waiting for the client to drain. A frame that would take the client past its byte budget
 * cuts the response instead (the client resumes with `Last-Event-ID`). A failed read sends an
 * `error` frame and reopens after the last id sent; the backoff doubles for as long as failures
 * repeat at that id and resets only once an item after it was delivered. Stops at a terminal
 * status (with `end`), when the client leaves, or after a terminal `error` frame for a failure
 * retrying cannot fix (`CLOSED`, `BACKEND_COMMAND` such as a key of the wrong type, a cursor the
 * stream no longer accepts).
 */
export async function pump(start: PumpStart, writer: SseWriter, options: ResolvedSseOptions): Promise<void> {
  const { taskId, signal } = start.request;
  const log = start.logger;
  writer.write(formatSseRetry(options.retryMs));
  writer.write(formatSseFrame(connectedFrame(taskId, start.start.startId, start.resumed)));
  let subscription = start.subscription;
  let lastId = start.start.startId;
  let failures = 0;
  let failedAt: string | undefined;

  while (!writer.closed) {
    try {
      for await (const item of subscription.items) {
        if (writer.closed) break;
        const bytes = start.frames.bytes(taskId, item, (reason) =>
          log?.warn('taskstream sse: entry cannot be forwarded; sent as a decode_error event', { taskId, id: item.id, reason }),
        );
        const queued = writer.queuedBytes;
        if (queued > 0 && queued + bytes.byteLength > options.maxBufferedBytes) {
          log?.warn('taskstream sse: client over its byte budget; disconnecting it (it resumes with Last-Event-ID)', { taskId, queuedBytes: queued, frameBytes: bytes.byteLength });
          writer.disconnect();
          return;
        }
        writer.writeBytes(bytes);
        if (item.event.type !== 'gap') lastId = item.id;
        if (failures > 0 && lastId !== failedAt) {
          log?.info('taskstream sse: backend read recovered', { taskId, failures });
          failures = 0;
        }
        const status = terminalStatus(item.event);
        if (status !== undefined && options.endOnTerminal) {
          writer.write(formatSseFrame(endFrame(status)));
          writer.close();
          return;
        }
        await writer.drained();
      }
      // The subscription ended by itself: aborted, or it stopped at the terminal status.
      writer.close();
      return;
    } catch (err) {
      failures = failedAt === lastId ? failures + 1 : 1;
      failedAt = lastId;
      const reopened = await reopen(start, writer, options, lastId, err, failures);
      if (reopened === undefined) return;
      subscription = reopened.subscription;
      failures = reopened.failures;
    }
  }
}

/** Backs off and reopens after `lastId` until it works, the client leaves, or a failure is final. */
async function reopen(
  start: PumpStart,
  writer: SseWriter,
  options: ResolvedSseOptions,
  lastId: string,
  firstError: unknown,
  firstFailures: number,
): Promise<{ subscription: SseSubscription; failures: number } | undefined> {
  const { taskId, signal } = start.request;
  let error = firstError;
  for (let failures = firstFailures; ; failures++) {
    if (writer.closed || signal.aborted) return undefined;
    if (isFinal(error)) {
      start.logger?.warn('taskstream sse: ending the stream', { taskId, error: describe(error) });
      writer.write(formatSseFrame(streamErrorFrame(error, options.retryMs, true)));
      writer.close();
      return undefined;
    }
    const delay = backoffDelay(failures, options);
    if ((failures & (failures - 1)) === 0) {
      start.logger?.warn('taskstream sse: backend read failed, backing off', { taskId, failures, retryInMs: delay, error: describe(error) });
    }
    writer.write(formatSseFrame(streamErrorFrame(error, delay, false)));
    await sleep(options.clock, delay, signal);
    if (writer.closed || signal.aborted) return undefined;
    const opened = await openWithin({ ...start.request, lastEventId: lastId }, options);
    if (opened.ok) {
      // The task had already ended at `lastId`: the client reconnects and gets 204.
      if (opened.start.ended) {
        opened.stop();
        writer.close();
        return undefined;
      }
      return { subscription: opened.subscription, failures };
    }
    error = opened.error;
  }
}
