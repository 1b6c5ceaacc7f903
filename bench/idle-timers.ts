/**
 * Idle cost of open message contexts: timer callbacks and pending timers over one minute of
 * fake time, taskstream's publisher vs a naive buffer that ticks at 20 Hz for as long as it is
 * open. Run: `npx tsx bench/idle-timers.ts [contexts]` (default 10000).
 */
import { FakeClock } from '../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../src/adapters/memory/index.js';
import { createPublisher } from '../src/defaults.js';
import type { MessageContext } from '../src/domain/publisher/message-context.js';
import { NaiveTickerBuffer } from '../test/helpers/naive-ticker-buffer.js';

const CONTEXTS = Number(process.argv[2] ?? 10_000);
const MINUTE = 60_000;

async function taskstream(streamFirst: boolean): Promise<{ fired: number; pending: number; scheduled: number }> {
  const clock = new FakeClock();
  const publisher = createPublisher({ repository: createMemoryRepository({ clock }), clock, idGenerator: () => 'bench' });
  const contexts: MessageContext[] = [];
  for (let i = 0; i < CONTEXTS; i++) {
    const ctx = publisher.open(`task-${i % 500}`, streamFirst ? { start: { type: 'text', author: 'agent', content: '' } } : {});
    if (streamFirst) ctx.delta({ type: 'text', textDelta: 'hello' });
    contexts.push(ctx);
  }
  await clock.runAll();
  const before = { fired: clock.firedCount, scheduled: clock.scheduledCount };
  await clock.advance(MINUTE);
  const result = { fired: clock.firedCount - before.fired, pending: clock.pendingCount, scheduled: clock.scheduledCount - before.scheduled };
  await publisher.close();
  return result;
}

async function naive(buffers: number): Promise<{ fired: number; pending: number }> {
  const clock = new FakeClock();
  const list = Array.from({ length: buffers }, () => new NaiveTickerBuffer(clock, () => undefined, 50));
  await clock.advance(MINUTE);
  const result = { fired: clock.firedCount, pending: clock.pendingCount };
  for (const b of list) b.close();
  return result;
}

const started = performance.now();
const fresh = await taskstream(false);
const streamed = await taskstream(true);
const small = await naive(10);
const sample = 100;
const measured = await naive(sample);
const perBuffer = measured.fired / sample;
const fmt = (n: number): string => n.toLocaleString('en-US');

console.log(`idle contexts: ${fmt(CONTEXTS)}, fake time: 60 s`);
console.log(`taskstream, opened and idle:           ${fmt(fresh.fired)} timer callbacks, ${fmt(fresh.pending)} pending timers, ${fmt(fresh.scheduled)} timers scheduled`);
console.log(`taskstream, streamed one delta, idle:  ${fmt(streamed.fired)} timer callbacks, ${fmt(streamed.pending)} pending timers, ${fmt(streamed.scheduled)} timers scheduled`);
console.log(`naive 20 Hz ticker, measured:          ${fmt(small.fired)} callbacks for 10 buffers, ${fmt(measured.fired)} for ${sample} (${fmt(perBuffer)} per buffer)`);
console.log(`naive 20 Hz ticker, ${fmt(CONTEXTS)} buffers:     ${fmt(perBuffer * CONTEXTS)} callbacks (extrapolated linearly), ${fmt(CONTEXTS)} pending timers at any time`);
console.log(`bench took ${Math.round(performance.now() - started)} ms`);
