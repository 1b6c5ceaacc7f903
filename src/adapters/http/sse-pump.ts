import { sleep } from '../../domain/sleep.js';
import { TaskStreamError } from '../../domain/errors.js';
import type { StreamId } from '../../domain/stream-id.js';
import type { ResolvedSseOptions } from './sse-options.js';
import type { SseSource, SseSubscription } from './sse-source.js';
import type { SseWriter } from './sse-writer.js';
import { formatSseFrame, formatSseRetry } from './sse-frame.js';
import { connectedFrame, endFrame, itemFrame, streamErrorFrame, terminalStatus } from './sse-events.js';

/** State the pump starts from: the subscription opened (and its cursor fixed) before the response. */
export interface PumpStart {
  readonly taskId: string;
  readonly source: SseSource;
  readonly subscription: SseSubscription;
  /** The cursor, or the error that fixing it failed with (the pump then backs off and retries). */
  readonly cursor: FixedStart;
  readonly resumed: boolean;
  readonly lastEventId: StreamId | undefined;
  readonly signal: AbortSignal;
}

/** Where a subscription starts ({@link SseSubscription.cursor}, {@link SseSubscription.ended}), or why it could not. */
export type FixedStart = { readonly ok: true; readonly id: StreamId; readonly ended: boolean } | { readonly ok: false; readonly error: unknown };

/** Waits for a subscription's start; never rejects. */
export async function fixStart(subscription: SseSubscription): Promise<FixedStart> {
  try {
    const id = await subscription.cursor;
    return { ok: true, id, ended: (await subscription.ended) ?? false };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Streams one subscription into the writer: `retry:`, `connected` (after the cursor snapshot),
 * then one frame per item, waiting for the client to drain. A failed read sends an `error` frame
 * and reopens from the last id sent after a capped exponential backoff (logged only when the
 * failure count is a power of two). Stops at a terminal status (with `end`), when the client
 * leaves, or after an `error` frame for a failure retrying cannot fix (`CLOSED`, a cursor the
 * stream no longer accepts); the browser then reconnects after the `retry:` delay.
 */
export async function pump(start: PumpStart, writer: SseWriter, options: ResolvedSseOptions): Promise<void> {
  writer.write(formatSseRetry(options.retryMs));
  let subscription = start.subscription;
  let cursor = start.cursor;
  let lastId = start.lastEventId;
  let connected = false;
  let failures = 0;

  while (!writer.closed) {
    try {
      if (!cursor.ok) throw cursor.error;
      // Reopened after a failure and the task had already ended at `lastId`: the client reconnects and gets 204.
      if (cursor.ended) {
        writer.close();
        return;
      }
      if (!connected) {
        writer.write(formatSseFrame(connectedFrame(start.taskId, cursor.id, start.resumed)));
        connected = true;
      }
      lastId ??= cursor.id;
      for await (const item of subscription.items) {
        if (writer.closed) break;
        if (failures > 0) {
          options.logger?.info('taskstream sse: backend read recovered', { taskId: start.taskId, failures });
          failures = 0;
        }
        writer.write(formatSseFrame(itemFrame(item)));
        if (item.event.type !== 'gap') lastId = item.id;
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
      if (writer.closed || start.signal.aborted) return;
      if (isFinal(err)) {
        // Retrying cannot help (the repository closed, or the stream no longer accepts this cursor).
        options.logger?.warn('taskstream sse: ending the stream', { taskId: start.taskId, error: err instanceof Error ? err.message : String(err) });
        writer.write(formatSseFrame(streamErrorFrame(err, options.retryMs)));
        writer.close();
        return;
      }
      failures++;
      const delay = Math.min(options.maxErrorBackoffMs, options.errorBackoffMs * 2 ** Math.min(failures - 1, 30));
      if ((failures & (failures - 1)) === 0) {
        options.logger?.warn('taskstream sse: backend read failed, backing off', {
          taskId: start.taskId,
          failures,
          retryInMs: delay,
          error: err instanceof Error ? err.message : String(err),
        });
      }
      writer.write(formatSseFrame(streamErrorFrame(err, delay)));
      await sleep(options.clock, delay, start.signal);
      if (writer.closed || start.signal.aborted) return;
      subscription = start.source.open({
        taskId: start.taskId,
        ...(lastId !== undefined ? { lastEventId: lastId } : {}),
        from: options.from,
        untilTerminal: options.endOnTerminal,
        signal: start.signal,
      });
      cursor = await fixStart(subscription);
    }
  }
}

const FINAL_CODES = new Set(['CLOSED', 'INVALID_RESUME_POINT', 'INVALID_ARGUMENT', 'INVALID_STREAM_ID']);

function isFinal(err: unknown): boolean {
  return err instanceof TaskStreamError && FINAL_CODES.has(err.code);
}

