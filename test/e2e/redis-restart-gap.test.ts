// A reader resumes after redis-server was killed (-9) and restarted without persistence: the
// entries written between its last read and the crash are gone, and it must be told so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock/index.js';
import { createIoredisRepository, type IoredisRepository } from '../../src/adapters/ioredis/index.js';
import type { SubscriptionItem } from '../../src/domain/events.js';
import { createPublisher } from '../../src/defaults.js';
import { createSubscriber } from '../../src/defaults.js';
import { uniquePrefix } from '../helpers/redis-server.js';
import { startRestartableRedis, type RestartableRedis } from '../helpers/restartable-redis.js';

let server: RestartableRedis;
let repository: IoredisRepository;
import { silentLogger as silent } from '../helpers/silent-logger.js';

beforeAll(async () => {
  server = await startRestartableRedis();
  repository = createIoredisRepository({ url: server.url, logger: silent });
}, 20_000);

afterAll(async () => {
  await repository?.close();
  await server?.stop();
});

/** Reads items until `stop` says so (or 15 s pass), then closes the subscription. */
async function collect(iterable: AsyncIterable<SubscriptionItem>, stop: (item: SubscriptionItem, all: SubscriptionItem[]) => boolean): Promise<SubscriptionItem[]> {
  const items: SubscriptionItem[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (stop(item, items)) break;
  }
  return items;
}

describe('a resumed reader after a redis-server restart without persistence', () => {
  it('gets a reset gap, then a seq gap covering the lost 100..199 (exactly, given knownSeqs), before seq 200', async () => {
    const settings = { keyPrefix: uniquePrefix('restart'), coalesce: 'off' as const };
    const publisher = createPublisher({ repository, clock: systemClock, logger: silent, settings, retry: { maxAttempts: 20, baseDelayMs: 50, maxDelayMs: 500 } });
    const subscriber = createSubscriber({ repository, clock: systemClock, settings, tuning: { blockMs: 200, retryBaseMs: 20, retryMaxMs: 200, maxRetries: 50 } });
    const message = publisher.open('t1', { index: 0 });
    const deltas = (from: number, to: number): void => {
      for (let seq = from; seq < to; seq++) message.delta({ type: 'text', textDelta: `<${seq}>` });
    };

    deltas(0, 100);
    await message.flush();
    const firstSubscription = subscriber.open('t1', { lastEventId: '0-0', limit: 100 });
    const first = await collect(firstSubscription, () => false);
    expect(first.map((i) => (i.event.type === 'delta' ? i.event.seq : i.event.type))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const resumeId = first[99]!.id;

    deltas(100, 200);
    await message.flush();
    await server.kill();
    await server.restart();
    deltas(200, 210);
    await message.done();

    const resumed = await collect(subscriber.open('t1', { lastEventId: resumeId }), (item) => item.event.type === 'done');
    const shape = resumed.map((i) => (i.event.type === 'gap' ? `gap:${i.event.reason}` : `${i.event.type}:${'seq' in i.event ? i.event.seq : ''}`));
    expect(shape).toEqual(['gap:reset', 'gap:seq', ...Array.from({ length: 10 }, (_, i) => `delta:${200 + i}`), 'done:210']);
    expect(resumed[0]!.event).toMatchObject({ type: 'gap', reason: 'reset', resumeId, firstRetainedId: resumed[2]!.id });
    const seqGap = resumed[1]!.event;
    expect(seqGap).toMatchObject({ type: 'gap', reason: 'seq', messageKey: 'index:0', messageIndex: 0, toSeq: 199, exact: false });
    // The gap covers what this reader lost (100..199): it read 0..99 itself, and the gap starts at or before 100.
    expect(seqGap.type === 'gap' && seqGap.reason === 'seq' && seqGap.fromSeq <= 100).toBe(true);

    // An in-process reader that hands over what it holds gets the exact range.
    const exact = await collect(subscriber.open('t1', { lastEventId: resumeId, knownSeqs: firstSubscription.lastSeqs() }), (item) => item.event.type === 'done');
    expect(exact[1]!.event).toMatchObject({ type: 'gap', reason: 'seq', messageKey: 'index:0', fromSeq: 100, toSeq: 199, exact: true });
    expect(exact.slice(2).map((i) => i.id)).toEqual(resumed.slice(2).map((i) => i.id));
    await publisher.close();
  }, 60_000);
});
