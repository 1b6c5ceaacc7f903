import type { Clock, TimerHandle } from '../../src/ports/clock.js';

/**
 * The baseline taskstream replaces: a buffer that wakes on a fixed interval (20 Hz by default)
 * for as long as it is open, flushing whatever it holds, even when it holds nothing. Used only
 * to measure the idle cost that {@link CoalescingBuffer} avoids.
 */
export class NaiveTickerBuffer {
  #pending: string[] = [];
  #timer: TimerHandle | undefined;
  /** Ticks that found nothing to flush. */
  emptyTicks = 0;

  constructor(
    private readonly clock: Clock,
    private readonly flush: (items: string[]) => void,
    private readonly intervalMs = 50,
  ) {
    this.#schedule();
  }

  add(item: string): void {
    this.#pending.push(item);
  }

  close(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.clock.setTimeout(() => {
      if (this.#pending.length > 0) this.flush(this.#pending.splice(0));
      else this.emptyTicks++;
      this.#schedule();
    }, this.intervalMs);
  }
}
