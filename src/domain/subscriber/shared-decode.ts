import type { EventCodec } from '../codec/event-codec.js';
import type { SubscriptionItem } from '../events.js';
import type { StreamEntry } from '../../ports/stream-repository.js';

type Decoded = SubscriptionItem['event'];

/** Entries a codec's recent decodes are remembered for, at most. */
export const RECENT_DECODES = 64;
/** Bytes of entry fields the recent decodes of a codec may hold, at most (the latest is always held). */
export const RECENT_DECODE_BYTES = 8 * 1024 * 1024;

/**
 * The last {@link RECENT_DECODES} entries a codec decoded, most recent last, holding at most
 * {@link RECENT_DECODE_BYTES} of fields. Strong references with a short life: a weak cache
 * (`WeakRef` values) kept every decoded event alive through the young-generation collections
 * (V8 clears weak references only in full collections), which at token rate promoted about
 * 0.7 MB per collection into the old generation.
 */
class RecentDecodes {
  readonly #entries = new Array<StreamEntry | undefined>(RECENT_DECODES);
  readonly #events = new Array<Decoded | undefined>(RECENT_DECODES);
  readonly #sizes = new Array<number>(RECENT_DECODES).fill(0);
  #next = 0;
  #bytes = 0;

  get(entry: StreamEntry): Decoded | undefined {
    // the readers of one entry ask for it close together: look from the most recent back
    for (let k = 1, i = this.#next; k <= RECENT_DECODES; k++) {
      i = i === 0 ? RECENT_DECODES - 1 : i - 1;
      const held = this.#entries[i];
      if (held === entry) return this.#events[i];
      if (held === undefined) return undefined;
    }
    return undefined;
  }

  add(entry: StreamEntry, event: Decoded): void {
    const slot = this.#next;
    this.#clear(slot);
    const size = fieldBytes(entry);
    this.#entries[slot] = entry;
    this.#events[slot] = event;
    this.#sizes[slot] = size;
    this.#bytes += size;
    this.#next = (slot + 1) % RECENT_DECODES;
    // over the byte budget: forget the oldest first, never the one just added
    for (let i = this.#next; this.#bytes > RECENT_DECODE_BYTES && i !== slot; i = (i + 1) % RECENT_DECODES) this.#clear(i);
  }

  /** Fields bytes held now (for tests: bounded). */
  get bytes(): number {
    return this.#bytes;
  }

  #clear(slot: number): void {
    if (this.#entries[slot] === undefined) return;
    this.#bytes -= this.#sizes[slot]!;
    this.#entries[slot] = undefined;
    this.#events[slot] = undefined;
    this.#sizes[slot] = 0;
  }
}

function fieldBytes(entry: StreamEntry): number {
  let size = 0;
  const fields = entry.fields;
  for (const name in fields) size += name.length + (fields[name]?.length ?? 0);
  return size;
}

const byCodec = new WeakMap<EventCodec, RecentDecodes>();

/**
 * Decodes `entry` once per codec for the subscriptions that get the same entry object close
 * together (the memory backend and ioredis's multiplexed reader hand one object to all readers
 * of a round): forty readers of one 20 MB entry parse it once, not forty times. Only recent
 * decodes are remembered ({@link RECENT_DECODES}, {@link RECENT_DECODE_BYTES}): a retained entry
 * (the memory backend keeps its entries) does not keep its decoded copy alive. Items are shared,
 * hence read-only (their types say so).
 */
export function decodeShared(codec: EventCodec, entry: StreamEntry, decode: (codec: EventCodec, entry: StreamEntry) => Decoded): Decoded {
  let recent = byCodec.get(codec);
  if (recent === undefined) {
    recent = new RecentDecodes();
    byCodec.set(codec, recent);
  }
  const known = recent.get(entry);
  if (known !== undefined) return known;
  const event = decode(codec, entry);
  recent.add(entry, event);
  return event;
}

/** Fields bytes a codec's recent decodes hold now (for tests). */
export function recentDecodeBytes(codec: EventCodec): number {
  return byCodec.get(codec)?.bytes ?? 0;
}
