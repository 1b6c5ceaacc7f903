import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { CoalesceMode } from '../config.js';
import type { MessageDelta } from '../events.js';
import { canMerge, deltaChars, deltaText, mergeDeltas } from './delta-merge.js';
import { mayExceed, RunSizes, splitDelta } from './entry-size.js';

/** Options of a {@link CoalescingBuffer}. */
export interface CoalescingBufferOptions {
  /** `off` and `per_token` are ready at once and merge only under backlog (`maxPendingEntries`); `coalesced` merges and waits. */
  readonly mode: CoalesceMode;
  readonly clock: Clock;
  /** Longest a buffered delta waits before the buffer turns ready (coalesced mode). */
  readonly flushIntervalMs: number;
  /** Buffered code points that make the buffer ready at once (coalesced mode). */
  readonly maxBufferedChars: number;
  /**
   * In `off`/`per_token` modes, once this many deltas wait (the backend is slower than the
   * producer), further mergeable deltas are merged into the last one, so entry count stays bounded.
   */
  readonly maxPendingEntries: number;
  /** Largest delta entry (see {@link splitDelta}): larger deltas are split, and merging stops at it. @default Infinity */
  readonly maxEntryBytes?: number;
  /** Called synchronously when the buffered deltas should go out now; the owner then calls {@link CoalescingBuffer.take} (at once, or when its queue is free). */
  readonly onReady: () => void;
}

/**
 * Collects the deltas of one message between flushes.
 *
 * Coalesced mode: the first delta of the message makes the buffer ready at once (latency); later
 * deltas merge with the previous one when {@link canMerge} (same kind, same index / tool call)
 * and the buffer turns ready after `flushIntervalMs` or when `maxBufferedChars` code points are
 * buffered. While ready but not yet taken (an append is in flight) it keeps merging, which is
 * what bounds memory under a slow backend.
 *
 * A timer exists only while deltas are buffered and the buffer is not yet ready: an empty buffer
 * holds no timer and schedules nothing, however long it stays open.
 */
export class CoalescingBuffer {
  readonly #options: CoalescingBufferOptions;
  #runs: MessageDelta[] = [];
  /** Sizes of the runs, against `maxEntryBytes` (none when it is infinite). */
  readonly #sizes: RunSizes | undefined;
  #chars = 0;
  #timer: TimerHandle | undefined;
  #ready = false;
  #sawFirst = false;

  constructor(options: CoalescingBufferOptions) {
    this.#options = options;
    const max = options.maxEntryBytes ?? Infinity;
    this.#sizes = Number.isFinite(max) ? new RunSizes(max) : undefined;
  }

  /**
   * Buffers one delta (split first when larger than `maxEntryBytes`); may call `onReady`
   * synchronously. Throws `INVALID_ARGUMENT` (nothing buffered) when it cannot be split to fit.
   */
  add(delta: MessageDelta): void {
    const max = this.#options.maxEntryBytes ?? Infinity;
    if (this.#sizes === undefined || !mayExceed(delta, max)) return this.#addPiece(delta);
    const pieces = splitDelta(delta, max);
    if (pieces.length === 1) return this.#addPiece(pieces[0]!);
    for (const piece of pieces) this.#addPiece(piece);
  }

  #addPiece(delta: MessageDelta): void {
    const { mode, maxBufferedChars, maxPendingEntries } = this.#options;
    const last = this.#runs[this.#runs.length - 1];
    const sizes = this.#sizes;
    const merge =
      last !== undefined && (mode === 'coalesced' || this.#runs.length >= maxPendingEntries) && canMerge(last, delta) && (sizes === undefined || sizes.tryMerge(last, delta));
    if (merge) {
      this.#runs[this.#runs.length - 1] = mergeDeltas(last, delta);
    } else {
      this.#runs.push(delta);
      sizes?.push(delta);
    }
    this.#chars += deltaChars(delta);
    if (this.#ready) return;
    const first = !this.#sawFirst;
    this.#sawFirst = true;
    if (mode !== 'coalesced' || first || this.#chars >= maxBufferedChars) {
      this.#signal();
    } else if (this.#timer === undefined) {
      this.#timer = this.#options.clock.setTimeout(() => {
        this.#timer = undefined;
        this.#signal();
      }, this.#options.flushIntervalMs);
    }
  }

  /** Removes and returns the buffered (merged) deltas, in order; cancels any timer. */
  take(): MessageDelta[] {
    this.#cancelTimer();
    this.#ready = false;
    const runs = this.#runs;
    this.#runs = [];
    this.#sizes?.clear();
    this.#chars = 0;
    return runs;
  }

  /** True once the buffered deltas should go out (and until they are taken). */
  get ready(): boolean {
    return this.#ready;
  }

  /** Deltas (after merging) waiting in the buffer. */
  get size(): number {
    return this.#runs.length;
  }

  /** Code points waiting in the buffer. */
  get chars(): number {
    return this.#chars;
  }

  /** True while a flush timer is scheduled. */
  get hasTimer(): boolean {
    return this.#timer !== undefined;
  }

  #signal(): void {
    this.#cancelTimer();
    this.#ready = true;
    this.#options.onReady();
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) {
      this.#options.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
