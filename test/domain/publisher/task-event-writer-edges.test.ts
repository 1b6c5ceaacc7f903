// Task-level events (updateTask, error) when the codec or the backend refuses them: what the
// caller gets, and that the task's next event still goes out, on a fresh producer.
import { describe, expect, it } from 'vitest';
import { agentexCodec } from '../../../src/domain/codec/agentex-codec.js';
import type { EventCodec } from '../../../src/domain/codec/event-codec.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { rejection } from '../../helpers/caught.js';
import { harness } from './harness.js';

// Refuses task events whose fields carry `unencodable` with a plain Error (a codec bug, not the caller's value).
const fussy: EventCodec = {
  ...agentexCodec,
  encode: (event, taskId) => {
    if (event.type === 'task_updated' && event.fields['unencodable'] === true) throw new Error('codec bug');
    return agentexCodec.encode(event, taskId);
  },
};

describe('task events the codec cannot encode', () => {
  it('a codec failure is PUBLISH_FAILED with the cause; nothing is queued and no sequence is used', async () => {
    const h = harness({}, { codec: fussy });
    const err = await rejection(h.publisher.updateTask('t1', 'RUNNING', { unencodable: true }));
    expect(TaskStreamError.is(err, 'PUBLISH_FAILED')).toBe(true);
    expect((err as TaskStreamError).details).toEqual({ taskId: 't1' });
    expect(((err as TaskStreamError).cause as Error).message).toBe('codec bug');
    expect((err as TaskStreamError).message).toContain('could not encode a task_updated event: codec bug');
    await h.publisher.updateTask('t1', 'RUNNING');
    expect(h.repo.requests.map((r) => r.idempotency?.seqs)).toEqual([[0]]);
  });

  it("the caller's own bad value (a reserved field key) stays INVALID_ARGUMENT", async () => {
    const h = harness();
    const err = await rejection(h.publisher.updateTask('t1', 'RUNNING', { id: 'x' }));
    expect(TaskStreamError.is(err, 'INVALID_ARGUMENT')).toBe(true);
    expect(h.repo.requests).toEqual([]);
  });
});

describe('task events after the backend failed', () => {
  it('the failed event rejects PUBLISH_FAILED; the next one goes out on a fresh producer from seq 0', async () => {
    const h = harness({}, { retry: { maxAttempts: 1 } });
    h.repo.failNext(1);
    expect(TaskStreamError.is(await rejection(h.publisher.updateTask('t1', 'RUNNING', { step: 1 })), 'PUBLISH_FAILED')).toBe(true);
    await h.publisher.updateTask('t1', 'RUNNING', { step: 2 });
    const [failed, next] = h.repo.requests;
    expect(next?.idempotency?.seqs).toEqual([0]);
    expect(next?.idempotency?.producerId).not.toBe(failed?.idempotency?.producerId);
    expect((await h.events()).map((e) => (e.type === 'task_updated' ? e.fields['step'] : e.type))).toEqual([2]);
    expect(h.errors).toHaveLength(1);
  });

  it('close() waits for a task event still being retried', async () => {
    const h = harness({}, { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 } });
    h.repo.failNext(2);
    const write = h.publisher.updateTask('t1', 'RUNNING');
    let closed = false;
    const closing = h.publisher.close().then(() => (closed = true));
    await h.clock.advance(10);
    expect(closed).toBe(false);
    await h.clock.runAll();
    await Promise.all([write, closing]);
    expect(await h.events()).toHaveLength(1);
  });
});
