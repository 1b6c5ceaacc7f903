import type { Clock, TimerHandle } from '../../ports/clock.js';

/** A read waiting for entries, registered on each of its topics. */
interface Waiter {
  readonly topics: ReadonlySet<string>;
  /** Called after an append to one of the topics: serves the read if it now has entries. */
  readonly onAppend: () => void;
  /** Resolves the read with nothing. */
  readonly cancel: () => void;
}

/**
 * Reads blocked until an append (`XREAD BLOCK`). A waiter holds one clock timer, armed only
 * while it waits and cleared as soon as it is served, cancelled or aborted; nothing runs
 * while no read is waiting.
 */
export class BlockedReads {
  readonly #clock: Clock;
  readonly #byTopic = new Map<string, Set<Waiter>>();
  readonly #all = new Set<Waiter>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Reads waiting now. */
  get size(): number {
    return this.#all.size;
  }

  /**
   * Waits up to `blockMs` for `collect` to return something after an append to `topics`.
   * Resolves `empty` on timeout, abort or {@link BlockedReads.cancelAll}.
   */
  wait<T>(topics: Iterable<string>, blockMs: number, signal: AbortSignal | undefined, collect: () => T | null, empty: T): Promise<T> {
    return new Promise<T>((resolve) => {
      let timer: TimerHandle | undefined;
      let done = false;
      const finish = (value: T): void => {
        if (done) return;
        done = true;
        this.#remove(waiter);
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = (): void => finish(empty);
      const waiter: Waiter = {
        topics: new Set(topics),
        onAppend: () => {
          const result = collect();
          if (result !== null) finish(result);
        },
        cancel: () => finish(empty),
      };
      this.#add(waiter);
      timer = this.#clock.setTimeout(() => {
        timer = undefined;
        finish(empty);
      }, blockMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Lets the reads waiting on `topic` look for the entries just appended. */
  notify(topic: string): void {
    const waiters = this.#byTopic.get(topic);
    if (waiters === undefined) return;
    for (const waiter of [...waiters]) waiter.onAppend();
  }

  /** Resolves every waiting read with nothing (on close). */
  cancelAll(): void {
    for (const waiter of [...this.#all]) waiter.cancel();
  }

  #add(waiter: Waiter): void {
    this.#all.add(waiter);
    for (const topic of waiter.topics) {
      let set = this.#byTopic.get(topic);
      if (set === undefined) this.#byTopic.set(topic, (set = new Set()));
      set.add(waiter);
    }
  }

  #remove(waiter: Waiter): void {
    this.#all.delete(waiter);
    for (const topic of waiter.topics) {
      const set = this.#byTopic.get(topic);
      if (set === undefined) continue;
      set.delete(waiter);
      if (set.size === 0) this.#byTopic.delete(topic);
    }
  }
}
