import type { EventCodec } from '../../src/domain/codec/event-codec.js';
import type { DecodeErrorEvent, TaskEvent } from '../../src/domain/events.js';
import { TaskStreamError } from '../../src/domain/errors.js';

/** A trivial codec for publisher tests: the whole event as JSON in one `event` field, plus the task id. */
export const jsonTestCodec: EventCodec = {
  encode(event, taskId) {
    return { task_id: taskId, event: JSON.stringify(event) };
  },
  decode(entry): TaskEvent | DecodeErrorEvent {
    try {
      return JSON.parse(entry.fields['event'] ?? '') as TaskEvent;
    } catch (cause) {
      return { type: 'decode_error', error: new TaskStreamError('DECODE_FAILED', 'not JSON', { cause }), raw: entry.fields };
    }
  },
};
