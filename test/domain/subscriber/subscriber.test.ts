import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { TOPIC, TASK, consume, seqs, settle, setup, status } from './harness.js';

describe('subscriber: start point', () => {
  it('snapshots the tail once and yields only later entries, in order', async () => {
    const { subscriber, append } = setup();
    const before = await append([status(0), status(1)]);
    const subscription = subscriber.open(TASK);
    const start = await subscription.ready;
    expect(start).toEqual({ topic: TOPIC, startId: before[1], resumed: false, gap: null, ended: false });
    const run = consume(subscription);
    await append([status(2)]);
    await append([status(3), status(4)]);
    await settle();
    expect(seqs(run.items)).toEqual([2, 3, 4]);
    subscription.close();
    await run.finished;
  });

  it('resumes strictly after Last-Event-ID', async () => {
    const { subscriber, append } = setup();
    const ids = await append([status(0), status(1), status(2)]);
    const subscription = subscriber.open(TASK, { lastEventId: ids[0] });
    expect((await subscription.ready).resumed).toBe(true);
    const run = consume(subscription);
    await settle();
    expect(run.items.map((i) => i.id)).toEqual(ids.slice(1));
    subscription.close();
    await run.finished;
  });

  it.each(['$', 'abc', '1-', '-1', '01-0', '1-2-3'])('rejects the malformed Last-Event-ID %j with INVALID_RESUME_POINT before any item', async (bad) => {
    const { subscriber, append } = setup();
    await append([status(0)]);
    const subscription = subscriber.open(TASK, { lastEventId: bad });
    await expect(subscription.ready).rejects.toMatchObject({ code: 'INVALID_RESUME_POINT' });
    const run = consume(subscription);
    await run.finished;
    expect(run.items).toEqual([]);
    expect(TaskStreamError.is(run.state.error, 'INVALID_RESUME_POINT')).toBe(true);
  });

  it('rejects a resume point newer than the stream, but accepts any for a missing stream', async () => {
    const { subscriber, append } = setup();
    await expect(subscriber.open(TASK, { lastEventId: '5-0' }).ready).resolves.toMatchObject({ startId: '5-0', gap: null });
    await append([status(0)]);
    await expect(subscriber.open(TASK, { lastEventId: '99999999999999-0' }).ready).rejects.toMatchObject({ code: 'INVALID_RESUME_POINT' });
  });

  it('yields a gap first when entries after the resume point were trimmed, then the retained entries', async () => {
    const { subscriber, append, memory } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(...(await append([status(i)], { maxLen: 10, ttlSeconds: 600 })));
    const info = (await memory.info(TOPIC))!;
    expect(info.length).toBeLessThan(300);
    const subscription = subscriber.open(TASK, { lastEventId: ids[5] });
    const run = consume(subscription);
    await settle();
    expect(run.items[0]).toEqual({ id: ids[5], event: { type: 'gap', reason: 'trimmed', resumeId: ids[5], firstRetainedId: info.firstId, trimmed: 300 - info.length } });
    expect(run.items.slice(1).map((i) => i.id)).toEqual(ids.slice(300 - info.length));
    subscription.close();
    const fromRetained = subscriber.open(TASK, { lastEventId: info.firstId });
    expect((await fromRetained.ready).gap).toBeNull();
  });

  it('rejects a bad task id or bad timings synchronously', () => {
    const { subscriber } = setup();
    expect(() => subscriber.open('has space')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => subscriber.open(TASK, { pollMinMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => subscriber.open(TASK, { limit: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('subscriber: reading', () => {
  it('delivers an entry appended between an empty blocking read and the next read (no $)', async () => {
    // The append lands exactly in the window where a `$`-style reader would re-resolve its start.
    let armed = true;
    const env = setup({
      subscriber: { tuning: { blockMs: 1000 } },
      wrap: (inner) =>
        wrapRepository(inner, {
          read: async (topic, afterId, options) => {
            const entries = await inner.read(topic, afterId, options);
            if (entries.length === 0 && armed && (options?.blockMs ?? 0) > 0) {
              armed = false;
              await env.append([status(7)]);
            }
            return entries;
          },
        }),
    });
    const subscription = env.subscriber.open(TASK);
    await subscription.ready;
    const run = consume(subscription);
    await settle();
    await env.clock.advance(1000);
    await settle();
    expect(armed).toBe(false);
    expect(seqs(run.items)).toEqual([7]);
    subscription.close();
    await run.finished;
  });

  it('yields undecodable entries as decode_error items and goes on', async () => {
    const { subscriber, append, memory } = setup();
    const subscription = subscriber.open(TASK);
    await subscription.ready;
    const run = consume(subscription);
    await memory.append({ topic: TOPIC, entries: [{ foo: 'bar' }], maxLen: 0, ttlSeconds: 60 });
    await append([status(1)]);
    await settle();
    expect(seqs(run.items)).toEqual(['decode_error', 1]);
    expect(run.items[0]!.event).toMatchObject({ type: 'decode_error', raw: { foo: 'bar' }, error: { code: 'DECODE_FAILED' } });
    subscription.close();
    await run.finished;
  });

  it('stops after a terminal task status with untilTerminal, and after limit items', async () => {
    const { subscriber, append } = setup();
    const until = consume(subscriber.open(TASK, { lastEventId: '0-0', untilTerminal: true }));
    const limited = consume(subscriber.open(TASK, { lastEventId: '0-0', limit: 2 }));
    await append([status(0), status(1, 'COMPLETED'), status(2)]);
    await settle();
    await Promise.all([until.finished, limited.finished]);
    expect(seqs(until.items)).toEqual([0, 1]);
    expect(seqs(limited.items)).toEqual([0, 1]);
  });

  it('can be iterated only once', async () => {
    const { subscriber } = setup();
    const subscription = subscriber.open(TASK);
    subscription[Symbol.asyncIterator]();
    expect(() => subscription[Symbol.asyncIterator]()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
