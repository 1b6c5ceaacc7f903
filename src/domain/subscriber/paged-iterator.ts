const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

/**
 * Hands out, one at a time, the items of an async source of pages (sync iterators). An item of
 * a page already read costs one sync generator step and a resolved promise, not an async
 * generator's resume and its awaits: a subscription turns each read into one page, and its
 * consumer takes the entries one by one at token rate. A page's code after an item runs only
 * when the next item is asked for, as an async generator's would. Calls are served in order,
 * also when a caller does not wait for the previous one; after an error or the end, `done`.
 */
export class PagedIterator<T> implements AsyncIterator<T, void, undefined> {
  readonly #pages: AsyncGenerator<Iterator<T, void, undefined>, void, undefined>;
  readonly #stop: () => void;
  #page: Iterator<T, void, undefined> | undefined;
  #pending: Promise<unknown> | undefined;
  #finished = false;

  /** @param stop - called first by `return` and `throw` (ends a pending read of the source). */
  constructor(pages: AsyncGenerator<Iterator<T, void, undefined>, void, undefined>, stop: () => void) {
    this.#pages = pages;
    this.#stop = stop;
  }

  next(): Promise<IteratorResult<T, void>> {
    if (this.#pending !== undefined) return this.#pending.then(() => this.next());
    const page = this.#page;
    if (page !== undefined) {
      const step = page.next();
      if (step.done !== true) return Promise.resolve(step);
      this.#page = undefined;
    }
    if (this.#finished) return Promise.resolve(DONE);
    const fetched = this.#nextPage();
    const settled: Promise<void> = fetched.then(
      () => this.#settle(settled),
      () => this.#settle(settled),
    );
    this.#pending = settled;
    return fetched;
  }

  return(): Promise<IteratorResult<T, void>> {
    this.#stop();
    this.#end();
    return this.#pages.return(undefined) as Promise<IteratorResult<T, void>>;
  }

  throw(err?: unknown): Promise<IteratorResult<T, void>> {
    this.#stop();
    this.#end();
    return this.#pages.throw(err) as Promise<IteratorResult<T, void>>;
  }

  #end(): void {
    this.#finished = true;
    this.#page?.return?.();
    this.#page = undefined;
  }

  #settle(settled: Promise<unknown>): void {
    if (this.#pending === settled) this.#pending = undefined;
  }

  async #nextPage(): Promise<IteratorResult<T, void>> {
    try {
      for (;;) {
        const source = await this.#pages.next();
        if (source.done === true) {
          this.#finished = true;
          return DONE;
        }
        const step = source.value.next();
        if (step.done !== true) {
          this.#page = source.value;
          return step;
        }
      }
    } catch (err) {
      this.#finished = true;
      throw err;
    }
  }
}
