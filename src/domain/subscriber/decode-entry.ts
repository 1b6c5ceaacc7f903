import type { StreamEntry } from '../../ports/stream-repository.js';
import type { EventCodec } from '../codec/event-codec.js';
import { TaskStreamError } from '../errors.js';
import { TERMINAL_TASK_STATUSES, type SubscriptionItem } from '../events.js';

/** The codec contract says decode never throws; a codec that does still must not end the subscription. */
export function decodeEntry(codec: EventCodec, entry: StreamEntry): SubscriptionItem['event'] {
  try {
    return codec.decode(entry);
  } catch (err) {
    const error = new TaskStreamError('DECODE_FAILED', `codec threw while decoding entry ${entry.id}`, { cause: err, details: { id: entry.id } });
    return { type: 'decode_error', error, raw: entry.fields };
  }
}

/** True for a `task_updated` event with a terminal status. */
export function isTerminal(event: SubscriptionItem['event']): boolean {
  return event.type === 'task_updated' && TERMINAL_TASK_STATUSES.has(event.status);
}
