import { describe, expect, it } from 'vitest';
import { compareStreamIds } from '../../../src/domain/stream-id.js';
import { TASK, TOPIC, seqs, settle, setup, status } from './harness.js';

describe('subscriber: a reader that falls behind trimming', () => {
  it('gets a gap item before the entries after the hole, and never an entry twice', async () => {
    const env = setup({ subscriber: { settings: { maxLen: 10 }, tuning: { count: 5 } } });
    const subscription = env.subscriber.open(TASK);
    await subscription.ready;
    const iterator = subscription[Symbol.asyncIterator]();
    const firstNext = iterator.next();
    await settle();
    const ids: string[] = [];
    for (let i = 0; i < 400; i++) ids.push(...(await env.append([status(i)], { maxLen: 10, ttlSeconds: 600 })));
    const items = [(await firstNext).value!];
    const info = (await env.memory.info(TOPIC))!;
    while (items[items.length - 1]!.id !== ids[399]) {
      const next = await iterator.next();
      items.push(next.value!);
    }
    const gaps = items.filter((i) => i.event.type === 'gap');
    expect(gaps).toHaveLength(1);
    const at = items.indexOf(gaps[0]!);
    const before = items.slice(0, at);
    const after = items.slice(at + 1);
    expect(gaps[0]).toEqual({
      id: before[before.length - 1]!.id,
      event: { type: 'gap', reason: 'trimmed', resumeId: before[before.length - 1]!.id, firstRetainedId: after[0]!.id, trimmed: 400 - info.length },
    });
    expect(before.map((i) => i.id)).toEqual(ids.slice(0, before.length));
    expect(after.map((i) => i.id)).toEqual(ids.slice(400 - after.length));
    expect(compareStreamIds(after[0]!.id, info.firstId)).toBe(0);
    subscription.close();
  });

  it('reports no gap for a reader that is behind but not trimmed past', async () => {
    const env = setup({ subscriber: { settings: { maxLen: 1000 }, tuning: { count: 5 } } });
    const subscription = env.subscriber.open(TASK);
    await subscription.ready;
    const iterator = subscription[Symbol.asyncIterator]();
    const firstNext = iterator.next();
    await settle();
    for (let i = 0; i < 400; i++) await env.append([status(i)], { maxLen: 1000, ttlSeconds: 600 });
    const items = [(await firstNext).value!];
    while (items.length < 400) items.push((await iterator.next()).value!);
    expect(seqs(items)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    subscription.close();
  });
});
