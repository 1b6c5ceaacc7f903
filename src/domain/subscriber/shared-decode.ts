import type { EventCodec } from '../codec/event-codec.js';
import type { SubscriptionItem } from '../events.js';
import type { StreamEntry } from '../../ports/stream-repository.js';

type Decoded = SubscriptionItem['event'];

const byCodec = new WeakMap<EventCodec, WeakMap<StreamEntry, WeakRef<Decoded>>>();

/**
 * Decodes `entry` once per codec for every subscription that got the same entry object (the
 * memory backend and ioredis's multiplexed reader hand one object to all readers of a round):
 * forty readers of one 20 MB entry parse it once, not forty times. Held weakly on both sides:
 * a retained entry (the memory backend keeps its entries) does not keep its decoded copy alive.
 * Items are shared, hence read-only (their types say so).
 */
export function decodeShared(codec: EventCodec, entry: StreamEntry, decode: (codec: EventCodec, entry: StreamEntry) => Decoded): Decoded {
  let memo = byCodec.get(codec);
  if (memo === undefined) {
    memo = new WeakMap();
    byCodec.set(codec, memo);
  }
  const known = memo.get(entry)?.deref();
  if (known !== undefined) return known;
  const event = decode(codec, entry);
  memo.set(entry, new WeakRef(event));
  return event;
}
