/**
 * One abort listener per signal for as long as the signal lives, however many reads it is passed
 * to. A subscription passes the same signal to every read it makes; adding and removing a DOM
 * listener per read cost more than the read's own bookkeeping at token rate.
 */
export class AbortWatch<T> {
  readonly #watched = new WeakMap<AbortSignal, Set<T>>();
  readonly #onAbort: (item: T) => void;

  constructor(onAbort: (item: T) => void) {
    this.#onAbort = onAbort;
  }

  /** Calls `onAbort(item)` when `signal` aborts, unless {@link unwatch} came first. */
  watch(signal: AbortSignal, item: T): void {
    const items = this.#watched.get(signal);
    if (items !== undefined) {
      items.add(item);
      return;
    }
    const set = new Set<T>([item]);
    this.#watched.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        const aborted = [...set];
        set.clear();
        for (const each of aborted) this.#onAbort(each);
      },
      { once: true },
    );
  }

  unwatch(signal: AbortSignal, item: T): void {
    this.#watched.get(signal)?.delete(item);
  }
}
