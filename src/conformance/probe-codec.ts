import type { EventCodec } from '../domain/codec/event-codec.js';
import { TaskStreamError } from '../domain/errors.js';

/**
 * A codec for probe entries (`{ n }` fields): each decodes to a `task_updated` event whose `seq`
 * is `n`, so subscriber checks do not depend on the agentex codec.
 */
export const probeCodec: EventCodec = {
  encode(event) {
    return { n: String('seq' in event ? event.seq : 0) };
  },
  decode(entry) {
    const n = Number(entry.fields['n']);
    if (!Number.isSafeInteger(n)) {
      return { type: 'decode_error', error: new TaskStreamError('DECODE_FAILED', `probe entry ${entry.id} has no n`), raw: entry.fields };
    }
    return { type: 'task_updated', seq: n, status: 'RUNNING', fields: {} };
  },
};
