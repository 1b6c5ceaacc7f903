import type { SubscriptionItem } from '../../domain/events.js';
import { itemBytes } from './sse-events.js';

/**
 * The encoded SSE frames of one source's entries, shared by every reader of a task: the first
 * reader to reach an entry encodes it; the others get the same bytes while any reader (its
 * queue, or the socket buffer behind it) still holds them. Held weakly, so the cache itself
 * keeps nothing alive: memory is what the readers hold, not one copy per reader.
 */
export class SharedFrames {
  readonly #frames = new Map<string, WeakRef<ArrayBuffer>>();
  readonly #registry = new FinalizationRegistry<string>((key) => {
    if (this.#frames.get(key)?.deref() === undefined) this.#frames.delete(key);
  });

  /** Entries currently shared (for tests and metrics). */
  get size(): number {
    return this.#frames.size;
  }

  /**
   * The bytes of `item`'s frame; `gap` items (no id of their own) are encoded per reader.
   * `onRefused` hears why an event could not be forwarded (it went out as `decode_error`), once
   * per encoding, so once for all the readers that share it.
   */
  bytes(taskId: string, item: SubscriptionItem, onRefused?: (reason: string) => void): Uint8Array {
    if (item.event.type === 'gap') return itemBytes(item, onRefused);
    const key = `${taskId}\n${item.id}`;
    const held = this.#frames.get(key)?.deref();
    if (held !== undefined) return new Uint8Array(held);
    const bytes = itemBytes(item, onRefused);
    // A pooled or offset view cannot be shared by its buffer: hand it out unshared.
    if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) return bytes;
    const buffer = bytes.buffer as ArrayBuffer;
    this.#frames.set(key, new WeakRef(buffer));
    this.#registry.register(buffer, key);
    return bytes;
  }
}

const bySource = new WeakMap<object, SharedFrames>();

/** The frame cache of one subscriber (or SSE source): one per process, whatever handlers use it. */
export function sharedFramesOf(source: object): SharedFrames {
  let frames = bySource.get(source);
  if (frames === undefined) {
    frames = new SharedFrames();
    bySource.set(source, frames);
  }
  return frames;
}
