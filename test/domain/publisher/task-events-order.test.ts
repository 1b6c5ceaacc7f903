// Task-level events of one task go through one producer: one append in flight at a time, in call
// order, and Publisher.close() waits for every one of them, even those queued behind a slow append.
import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../../../src/adapters/clock/fake-clock.js';
import { harness } from './harness.js';

describe('task events behind a slow append', () => {
  it('stay on one producer with one append in flight, and close() waits for them all', async () => {
    const h = harness();
    const releaseFirst = h.repo.hold();
    const writes = [h.publisher.updateTask('t1', 'RUNNING', { step: 1 }), h.publisher.updateTask('t1', 'RUNNING', { step: 2 }), h.publisher.updateTask('t1', 'RUNNING', { step: 3 })];
    await flushMicrotasks();
    releaseFirst();
    const releaseRest = h.repo.hold(); // the append of steps 2 and 3, sent once step 1 is stored
    await flushMicrotasks();
    writes.push(h.publisher.updateTask('t1', 'RUNNING', { step: 4 }));
    let closed = false;
    const closing = h.publisher.close().then(() => (closed = true));
    await flushMicrotasks();
    expect(closed).toBe(false);
    expect(h.repo.maxConcurrentPerTopic).toBe(1);
    releaseRest();
    await Promise.all([...writes, closing]);
    expect(h.repo.maxConcurrentPerTopic).toBe(1);
    const events = await h.events();
    expect(events.map((e) => (e.type === 'task_updated' ? e.fields['step'] : e.type))).toEqual([1, 2, 3, 4]);
    expect(new Set(h.repo.requests.map((r) => r.idempotency?.producerId)).size).toBe(1);
  });
});
