import { describe, expect, it } from 'vitest';
import type { EventCodec } from '../../../src/domain/codec/event-codec.js';
import { agentexCodec } from '../../../src/domain/codec/index.js';
import { consume, seqs, settle, setup, status, TASK } from './harness.js';
import { refusal } from '../../helpers/caught.js';

// What a subscriber accepts at open and its defaults, pinned where the mutation run found them
// open (issue 14): every refusal is a typed error naming the bad value, nothing is opened.


describe('subscriber options', () => {
  it('pollMaxMs below pollMinMs, or retryMaxMs below retryBaseMs, is INVALID_CONFIG naming the variable', () => {
    const { subscriber } = setup();
    expect(refusal(() => subscriber.open(TASK, { pollMinMs: 50, pollMaxMs: 49 }))).toMatchObject({ code: 'INVALID_CONFIG', details: { variable: 'pollMaxMs', value: 49 } });
    expect(subscriber.open(TASK, { pollMinMs: 50, pollMaxMs: 50 })).toBeDefined();
    expect(refusal(() => setup({ subscriber: { tuning: { retryBaseMs: 10, retryMaxMs: 9 } } }))).toMatchObject({ code: 'INVALID_CONFIG', details: { variable: 'retryMaxMs', value: 9 } });
    expect(() => setup({ subscriber: { tuning: { retryBaseMs: 10, retryMaxMs: 10 } } })).not.toThrow();
  });

  it('count, pollMinMs and retryBaseMs must be at least 1; blockMs and maxRetries may be 0', () => {
    for (const tuning of [{ count: 0 }, { pollMinMs: 0 }, { retryBaseMs: 0 }]) {
      expect(refusal(() => setup({ subscriber: { tuning } })).code).toBe('INVALID_CONFIG');
    }
    expect(() => setup({ subscriber: { tuning: { blockMs: 0, maxRetries: 0, pollMaxMs: 25 } } })).not.toThrow();
  });

  it('knownSeqs must be an object of integers >= 0 (0 included); the refusal names the key and value', () => {
    const { subscriber } = setup();
    expect(refusal(() => subscriber.open(TASK, { knownSeqs: null as never }))).toMatchObject({ code: 'INVALID_ARGUMENT', details: { knownSeqs: 'object' } });
    expect(refusal(() => subscriber.open(TASK, { knownSeqs: 'x' as never }))).toMatchObject({ code: 'INVALID_ARGUMENT', details: { knownSeqs: 'string' } });
    expect(refusal(() => subscriber.open(TASK, { knownSeqs: { 'index:0': -1 } }))).toMatchObject({ code: 'INVALID_ARGUMENT', details: { key: 'index:0', seq: -1 } });
    subscriber.open(TASK, { knownSeqs: { 'index:0': 0 } }).close();
  });

  it('a bad limit is INVALID_ARGUMENT carrying it', () => {
    const { subscriber } = setup();
    expect(refusal(() => subscriber.open(TASK, { limit: 0 }))).toMatchObject({ code: 'INVALID_ARGUMENT', details: { limit: 0 } });
  });

  it('untilTerminal defaults to false: a terminal status does not end the subscription', async () => {
    const { subscriber, append, clock } = setup();
    const subscription = subscriber.open(TASK);
    await subscription.ready;
    const run = consume(subscription);
    await append([status(1, 'COMPLETED')]);
    await settle();
    await clock.advance(1);
    await append([status(2)]);
    await settle();
    expect(seqs(run.items)).toEqual([1, 2]);
    expect(run.state.done).toBe(false);
    subscription.close();
    await run.finished;
  });
});

describe('shared decoding', () => {
  it('an entry object read by several subscriptions is decoded once per codec', async () => {
    let decodes = 0;
    const codec: EventCodec = { ...agentexCodec, decode: (entry) => (decodes++, agentexCodec.decode(entry)) };
    const { subscriber, append } = setup({ subscriber: { codec } });
    const subscriptions = [subscriber.open(TASK), subscriber.open(TASK), subscriber.open(TASK)];
    await Promise.all(subscriptions.map((s) => s.ready));
    const runs = subscriptions.map(consume);
    await settle();
    await append([status(1)]);
    await settle();
    expect(runs.map((r) => seqs(r.items))).toEqual([[1], [1], [1]]);
    expect(decodes).toBe(1);
    for (const s of subscriptions) s.close();
    await Promise.all(runs.map((r) => r.finished));
  });
});
