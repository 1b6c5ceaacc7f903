import type { ReadOptions, StreamEntry } from '../../ports/stream-repository.js';
import type { GapEvent, SubscriptionItem } from '../events.js';
import { compareStreamIds, type StreamId } from '../stream-id.js';
import { sleep } from '../sleep.js';
import { PollBackoff } from './backoff.js';
import { decodeEntry, isTerminal } from './decode-entry.js';
import type { GapDetector } from './gap-detector.js';
import { decodeShared } from './shared-decode.js';
import type { SubscriptionDeps, SubscriptionPlan } from './subscription-plan.js';
import type { SubscriptionStart } from './start-point.js';

/** What the iterator needs from its subscription. */
export interface IteratorHost {
  readonly deps: SubscriptionDeps;
  readonly plan: SubscriptionPlan;
  readonly ready: Promise<SubscriptionStart>;
  readonly signal: AbortSignal;
  readonly gaps: GapDetector;
  /** After a read from `cursor` failed with `error`: reads again with the subscription's retries (or rejects). */
  retryRead(error: unknown, cursor: StreamId, options: ReadOptions): Promise<readonly StreamEntry[]>;
  /** Whether a backend call failed and was retried since the last position check; clears it. */
  takeRetried(): boolean;
  /** The item with this id was handed out (the subscription's `cursor`). */
  moved(id: StreamId): void;
  close(): void;
}

const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });
const NONE: readonly StreamEntry[] = Object.freeze([]);

/**
 * The read loop of a subscription as a plain iterator: one read per page, then the page's
 * entries handed out one per `next()`, each decoded and checked for gaps only when asked for
 * (a consumer that stops mid-page leaves the rest unread, and out of `lastSeqs`). An item of a
 * page already read costs a resolved promise, not an async generator's resume and its awaits:
 * at token rate a subscriber makes one read per delta. The checks after an item (stopped, the
 * limit, the terminal event) run at the next call, as after an async generator's `yield`. Calls
 * are served in order, also when a caller does not wait for the previous one; after the end, an
 * error, `return` or `throw`, `done`. Ending in any way closes the subscription.
 */
export class SubscriptionIterator implements AsyncIterator<SubscriptionItem, void, undefined> {
  readonly #host: IteratorHost;
  /** Where the next read starts: the last entry made into an item; `undefined` until started. */
  #readFrom: StreamId | undefined;
  #entries: readonly StreamEntry[] = NONE;
  #at = 0;
  /** Items made and not handed out yet: the gaps found before an entry, then the entry. */
  readonly #made: SubscriptionItem[] = [];
  #madeAt = 0;
  #taken = 0;
  #terminalTaken = false;
  #pending: Promise<IteratorResult<SubscriptionItem, void>> | undefined;
  #blocking = false;
  #options: ReadOptions = {};
  #poll: PollBackoff | undefined;

  constructor(host: IteratorHost) {
    this.#host = host;
  }

  next(): Promise<IteratorResult<SubscriptionItem, void>> {
    const pending = this.#pending;
    if (pending !== undefined) return pending.then(this.#again, this.#again);
    // ended in any way (finishing closes the subscription, so its signal is aborted too)
    if (this.#mustEnd()) {
      this.#finish();
      return Promise.resolve(DONE);
    }
    const item = this.#take();
    if (item !== undefined) return Promise.resolve(this.#handOut(item));
    const reading = this.#readAndTake();
    this.#pending = reading;
    return reading;
  }

  return(): Promise<IteratorResult<SubscriptionItem, void>> {
    this.#finish();
    return Promise.resolve(DONE);
  }

  throw(err?: unknown): Promise<IteratorResult<SubscriptionItem, void>> {
    this.#finish();
    return Promise.reject(err);
  }

  readonly #again = (): Promise<IteratorResult<SubscriptionItem, void>> => this.next();

  #mustEnd(): boolean {
    return this.#host.signal.aborted || this.#taken >= this.#host.plan.limit || this.#terminalTaken;
  }

  #finish(): void {
    this.#entries = NONE;
    this.#made.length = 0;
    this.#host.close();
  }

  #handOut(item: SubscriptionItem): IteratorYieldResult<SubscriptionItem> {
    this.#taken++;
    this.#host.moved(item.id);
    if (this.#host.plan.untilTerminal && isTerminal(item.event)) this.#terminalTaken = true;
    return { done: false, value: item };
  }

  /** The next item of the page in hand, made now; `undefined` when the page is used up. */
  #take(): SubscriptionItem | undefined {
    const made = this.#made;
    if (this.#madeAt < made.length) return made[this.#madeAt++];
    made.length = 0;
    this.#madeAt = 0;
    if (this.#at >= this.#entries.length) return undefined;
    const entry = this.#entries[this.#at++]!;
    const { deps, gaps } = this.#host;
    const event = decodeShared(deps.codec, entry, decodeEntry);
    const from = this.#readFrom!;
    this.#readFrom = entry.id;
    const item = { id: entry.id, event };
    const holes = gaps.gapsBefore(entry, event, from);
    if (holes.length === 0) return item;
    for (const hole of holes) made.push({ id: from, event: hole });
    made.push(item);
    return made[this.#madeAt++];
  }

  #readAndTake(): Promise<IteratorResult<SubscriptionItem, void>> {
    return this.#fill().then(this.#filled, this.#failed);
  }

  readonly #filled = (more: boolean): IteratorResult<SubscriptionItem, void> | Promise<IteratorResult<SubscriptionItem, void>> => {
    if (!more) {
      this.#pending = undefined;
      this.#finish();
      return DONE;
    }
    const item = this.#take();
    // a filled page always holds an item; if one ever did not, read on rather than hand out nothing
    if (item === undefined) return this.#fill().then(this.#filled, this.#failed);
    this.#pending = undefined;
    return this.#handOut(item);
  };

  readonly #failed = (err: unknown): never => {
    this.#pending = undefined;
    this.#finish();
    throw err;
  };

  /** Reads the next page into hand (after the start point and its gap, first); false when the run ends. */
  async #fill(): Promise<boolean> {
    const host = this.#host;
    const { signal } = host;
    let from = this.#readFrom;
    if (from === undefined) {
      let start: SubscriptionStart;
      try {
        start = await host.ready;
      } catch (err) {
        if (signal.aborted) return false;
        throw err;
      }
      if (signal.aborted || start.ended) return false;
      from = start.startId;
      this.#readFrom = from;
      const { count, blockMs, pollMinMs, pollMaxMs } = host.plan.tuning;
      this.#blocking = host.deps.repository.capabilities.blockingReads && blockMs > 0;
      this.#options = this.#blocking ? { count, blockMs, signal } : { count, signal };
      this.#poll = new PollBackoff(pollMinMs, pollMaxMs);
      if (start.gap !== null) {
        this.#made.push({ id: from, event: start.gap });
        return true;
      }
    }
    const { deps } = host;
    const poll = this.#poll!;
    for (;;) {
      const startedAt = deps.clock.now();
      let read: readonly StreamEntry[];
      try {
        // the read itself, not a retrying wrapper: at token rate there is one per delta
        read = await deps.repository.read(host.plan.topic, from, this.#options);
      } catch (first) {
        try {
          read = await host.retryRead(first, from, this.#options);
        } catch (err) {
          if (signal.aborted) return false;
          throw err;
        }
      }
      if (signal.aborted) return false;
      const entries = after(read, from);
      if (entries.length < read.length) {
        // A backend that hands back entries at or before the cursor breaks rule 3; dropping them
        // keeps "no duplicate" and avoids a hot loop re-yielding the same entry.
        deps.logger.warn('taskstream subscriber: backend returned entries at or before the cursor; skipped', { topic: host.plan.topic, cursor: from, skipped: read.length - entries.length });
      }
      if (entries.length === 0) {
        // A "blocking" read that came back empty at once would make this loop spin: poll instead.
        const spun = read.length > 0 || deps.clock.now() - startedAt < host.plan.tuning.pollMinMs;
        if (!this.#blocking || spun) await sleep(deps.clock, poll.idle(), signal);
        else poll.active();
        if (signal.aborted) return false;
        continue;
      }
      poll.active();
      const check = this.#gapCheck(read.length, from, entries[0]!.id);
      const gap = check === null ? null : await check;
      if (gap !== null) this.#made.push({ id: from, event: gap });
      this.#entries = entries;
      this.#at = 0;
      return true;
    }
  }

  /**
   * The check for a trimmed or reset gap between `from` and the first entry read, when the read
   * says one may be there; `null` (no promise, no await) on the usual path.
   */
  #gapCheck(readLength: number, from: StreamId, nextId: StreamId): Promise<GapEvent | null> | null {
    const { gaps, plan } = this.#host;
    // A page this full means the reader is behind: trimming keeps at least `maxLen` entries, so
    // entries after the cursor can only have been trimmed when a read returns a page this full.
    const behind = plan.maxLenHint > 0 ? Math.min(plan.tuning.count, plan.maxLenHint) : plan.tuning.count;
    if (readLength >= behind) return this.#trimmedOrMoved(from, nextId);
    return this.#host.takeRetried() ? gaps.afterReconnect(from, nextId) : null;
  }

  async #trimmedOrMoved(from: StreamId, nextId: StreamId): Promise<GapEvent | null> {
    const { gaps } = this.#host;
    const gap = await gaps.trimmedBefore(from, nextId);
    if (gap !== null || !this.#host.takeRetried()) return gap;
    return gaps.afterReconnect(from, nextId);
  }
}

/** The entries of `read` strictly after `cursor`: `read` itself when that is all of them (no copy on the usual path). */
function after(read: readonly StreamEntry[], cursor: StreamId): readonly StreamEntry[] {
  for (let i = 0; i < read.length; i++) {
    if (compareStreamIds(read[i]!.id, cursor) <= 0) return read.filter((entry) => compareStreamIds(entry.id, cursor) > 0);
  }
  return read;
}
