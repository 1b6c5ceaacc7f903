// close() when its own synthesized done cannot be written: the failure is the caller's to see,
// once, and close() stays idempotent (one promise for every call).
import { describe, expect, it } from 'vitest';
import { rejection } from '../../helpers/caught.js';
import { harness } from './harness.js';

describe('MessageContext.close when the synthesized done is refused by the codec', () => {
  it('rejects INVALID_ARGUMENT, returns that same promise to every caller, and publishes no done', async () => {
    const h = harness({ maxEntryBytes: 256 });
    const big = { id: 'msg-1', task_id: 't1', content: { type: 'text', author: 'agent', content: 'x'.repeat(400) } };
    const ctx = h.publisher.open('t1', { parentTaskMessage: big });
    const first = ctx.close();
    const second = ctx.close();
    expect(second).toBe(first);
    expect(await rejection(first)).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await h.message(0)).filter((e) => e.type === 'done')).toEqual([]);
  });
});
