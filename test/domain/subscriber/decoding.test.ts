import { describe, expect, it } from 'vitest';
import { agentexCodec } from '../../../src/domain/codec/index.js';
import type { EventCodec } from '../../../src/domain/codec/event-codec.js';
import type { TaskEvent } from '../../../src/domain/events.js';
import { createSubscriber } from '../../../src/defaults.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { consume, seqs, settle, setup, status, TASK } from './harness.js';
import { RECENT_DECODE_BYTES, RECENT_DECODES, recentDecodeBytes } from '../../../src/domain/subscriber/shared-decode.js';

// How entries become items: decoded once per codec for all the subscriptions that read the same
// entry object, and only a terminal task_updated ends an untilTerminal subscription.

/** agentexCodec, counting its decodes and shifting every seq by `shift` (so its items are told apart). */
function shifted(shift: number): { codec: EventCodec; decodes: () => number } {
  let decodes = 0;
  const codec: EventCodec = {
    ...agentexCodec,
    decode: (entry) => {
      decodes++;
      const event = agentexCodec.decode(entry);
      return event.type === 'task_updated' ? { ...event, seq: event.seq + shift } : event;
    },
  };
  return { codec, decodes: () => decodes };
}

describe('shared decoding, per codec', () => {
  it('subscribers with different codecs on one backend each get their own codec\'s items, each codec decoding an entry once', async () => {
    const first = shifted(100);
    const second = shifted(200);
    const { subscriber, append, repository, clock } = setup({ subscriber: { codec: first.codec } });
    const other = createSubscriber({ repository, clock, logger: silentLogger, codec: second.codec });
    const subscriptions = [subscriber.open(TASK), other.open(TASK), subscriber.open(TASK), other.open(TASK)];
    await Promise.all(subscriptions.map((s) => s.ready));
    const runs = subscriptions.map(consume);
    await settle();
    await append([status(1), status(2)]);
    await settle();
    expect(runs.map((r) => seqs(r.items))).toEqual([[101, 102], [201, 202], [101, 102], [201, 202]]);
    expect([first.decodes(), second.decodes()]).toEqual([2, 2]);
    for (const s of subscriptions) s.close();
    await Promise.all(runs.map((r) => r.finished));
  });
});

describe('shared decoding holds only recent decodes', () => {
  it('an entry read again after many others is decoded again, and the bytes held stay within the budget', async () => {
    const counted = shifted(0);
    const { subscriber, append } = setup({ subscriber: { codec: counted.codec } });
    const big = 'x'.repeat(200_000);
    const events: TaskEvent[] = Array.from({ length: RECENT_DECODES + 60 }, (_, i) => ({ type: 'task_updated', seq: i + 1, status: 'RUNNING', fields: { pad: big } }));
    await append(events);
    const read = async () => {
      const run = consume(subscriber.open(TASK, { lastEventId: '0-0', limit: events.length }));
      await run.finished;
      return run.items.length;
    };
    expect(await read()).toBe(events.length);
    expect(counted.decodes()).toBe(events.length);
    expect(recentDecodeBytes(counted.codec)).toBeLessThanOrEqual(RECENT_DECODE_BYTES);
    expect(recentDecodeBytes(counted.codec)).toBeGreaterThan(0);
    // the memory backend keeps its entries: reading them all again decodes them again (nothing old was held)
    expect(await read()).toBe(events.length);
    expect(counted.decodes()).toBe(2 * events.length);
  });
});

describe('untilTerminal: only a terminal task_updated ends the subscription', () => {
  it('another event that carries a terminal-looking status field does not', async () => {
    // A codec may hand back events with extra fields; an `error` event with `status` is not a task status.
    const codec: EventCodec = {
      ...agentexCodec,
      decode: (entry) => {
        const event = agentexCodec.decode(entry);
        return event.type === 'task_updated' && event.status === 'RUNNING' ? ({ type: 'error', seq: event.seq, message: 'x', fields: {}, status: 'COMPLETED' } as TaskEvent) : event;
      },
    };
    const { subscriber, append } = setup({ subscriber: { codec } });
    const subscription = subscriber.open(TASK, { untilTerminal: true });
    await subscription.ready;
    const run = consume(subscription);
    await settle();
    await append([status(1), status(2, 'COMPLETED'), status(3)]);
    await settle();
    await run.finished;
    expect(run.items.map((i) => i.event.type)).toEqual(['error', 'task_updated']);
    expect(run.state.error).toBeUndefined();
  });
});
