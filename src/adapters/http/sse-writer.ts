import type { Clock, TimerHandle } from '../../ports/clock.js';
import { formatSseComment } from './sse-frame.js';

const encoder = new TextEncoder();

/**
 * The byte side of one SSE response: a `ReadableStream` with a byte high-water mark, a way to
 * wait until the client drains it, and keep-alive comments on an idle stream. Once closed or
 * cancelled it holds no timer and calls `onClose` exactly once.
 */
export class SseWriter {
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #closed = false;
  #demand: (() => void) | undefined;
  #timer: TimerHandle | undefined;
  #lastWriteAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly keepAliveMs: number,
    private readonly highWaterMarkBytes: number,
    private readonly onClose: () => void,
  ) {
    this.#lastWriteAt = clock.now();
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => {
          this.#wake();
        },
        cancel: () => {
          this.#finish();
        },
      },
      { highWaterMark: highWaterMarkBytes, size: (chunk) => chunk.byteLength },
    );
    this.#schedule(keepAliveMs);
  }

  /** True once the response ended (closed by the handler or cancelled by the client). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Queues text; a no-op once closed. */
  write(text: string): void {
    this.writeBytes(encoder.encode(text));
  }

  /** Queues bytes as they are (a frame shared with other readers is not copied); a no-op once closed. */
  writeBytes(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#controller.enqueue(bytes);
    this.#lastWriteAt = this.clock.now();
  }

  /** Bytes queued that the client has not taken yet. */
  get queuedBytes(): number {
    if (this.#closed) return 0;
    return Math.max(0, this.highWaterMarkBytes - (this.#controller.desiredSize ?? this.highWaterMarkBytes));
  }

  /** Resolves when the client has room for more (at once when it has), or when closed. */
  async drained(): Promise<void> {
    while (!this.#closed && (this.#controller.desiredSize ?? 1) <= 0) {
      await new Promise<void>((resolve) => {
        this.#demand = resolve;
      });
    }
  }

  /** Ends the response normally. */
  close(): void {
    if (this.#closed) return;
    this.#finish();
    this.#controller.close();
  }

  /**
   * Ends the response because the client went away (or the request was aborted). The body is
   * closed, not errored: there is nobody to tell, and servers would only log the error.
   */
  abort(): void {
    if (this.#closed) return;
    this.#finish();
    try {
      this.#controller.close();
    } catch {
      // already closed or cancelled by the consumer
    }
  }

  /**
   * Cuts the response: what is queued is dropped (the body errors, so the server closes the
   * connection) and the client reconnects with the last id it received.
   */
  disconnect(): void {
    if (this.#closed) return;
    this.#finish();
    try {
      this.#controller.error(new Error('SSE client over its byte budget'));
    } catch {
      // already closed or cancelled by the consumer
    }
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake();
    this.onClose();
  }

  #wake(): void {
    const resolve = this.#demand;
    this.#demand = undefined;
    resolve?.();
  }

  // One timer at most: on firing it writes only when nothing else was written for a full interval.
  #schedule(ms: number): void {
    if (this.keepAliveMs <= 0 || this.#closed) return;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      const idle = this.clock.now() - this.#lastWriteAt;
      if (idle >= this.keepAliveMs) {
        this.write(formatSseComment('keep-alive'));
        this.#schedule(this.keepAliveMs);
      } else {
        this.#schedule(this.keepAliveMs - idle);
      }
    }, ms);
  }
}
