// A message whose queue gave up while idle (a delta the codec could not encode) writes nothing
// more: not the later deltas, not its done, since the stream would show a message with a hole.
import { describe, expect, it } from 'vitest';
import { agentexCodec } from '../../../src/domain/codec/agentex-codec.js';
import type { EventCodec } from '../../../src/domain/codec/event-codec.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { rejection } from '../../helpers/caught.js';
import { harness } from './harness.js';

const picky: EventCodec = {
  ...agentexCodec,
  encode: (event, taskId) => {
    if (event.type === 'delta' && event.delta.type === 'text' && event.delta.textDelta === 'boom') throw new Error('cannot encode');
    return agentexCodec.encode(event, taskId);
  },
};

describe('a message whose queue gave up with nothing in flight', () => {
  it('appends nothing after the failure, its done included', async () => {
    const h = harness({ coalesce: 'off' }, { codec: picky });
    const ctx = h.publisher.open('t1');
    ctx.delta({ type: 'text', textDelta: 'boom' });
    ctx.delta({ type: 'text', textDelta: 'after' });
    expect(TaskStreamError.is(await rejection(ctx.close()), 'PUBLISH_FAILED')).toBe(true);
    await h.clock.runAll();
    expect(h.repo.requests).toEqual([]);
    expect(await h.events()).toEqual([]);
  });
});
