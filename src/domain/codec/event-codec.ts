import type { DecodeErrorEvent, TaskEvent } from '../events.js';
import type { EntryFields, StreamEntry } from '../../ports/stream-repository.js';

/**
 * Turns events into stream entry fields and back. The default is agentex's wire format
 * (`agentexCodec`); a custom codec lets a platform keep its own schema.
 * `decode` never throws: an entry it cannot read becomes a {@link DecodeErrorEvent}.
 */
export interface EventCodec {
  /** Fields of the entry that carries `event` (`taskId` is the task the event belongs to). */
  encode(event: TaskEvent, taskId: string): EntryFields;
  /** The event an entry carries, or a `decode_error` event describing why it could not be read. */
  decode(entry: StreamEntry): TaskEvent | DecodeErrorEvent;
}
