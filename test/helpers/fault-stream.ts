import { expect } from 'vitest';
import { agentexCodec } from '../../src/domain/codec/index.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import type { StreamSettings } from '../../src/domain/config.js';
import { createPublisher, createSubscriber } from '../../src/defaults.js';
import type { PublisherOptions } from '../../src/domain/publisher/index.js';
import type { SubscriberOptions } from '../../src/domain/subscriber/index.js';
import type { StreamRepository } from '../../src/ports/stream-repository.js';
import { silentLogger } from './silent-logger.js';

/** A logger that drops everything (faults make the real ones noisy). */
export const quiet = silentLogger;

/** What one subscriber saw: its text deltas in order, and how many Done events. */
export interface ReceivedTokens {
  readonly tokens: string[];
  readonly dones: number;
}

export interface FaultStreamOptions {
  /** The publisher's repository. */
  readonly writer: StreamRepository;
  /** The subscribers' repository. */
  readonly reader: StreamRepository;
  readonly settings: Partial<StreamSettings>;
  readonly publisherRetry: PublisherOptions['retry'];
  readonly subscriberTuning: SubscriberOptions['tuning'];
  readonly taskId: string;
  /** Text deltas `<0>`, `<1>`, ... published, then one Done. */
  readonly deltas: number;
  readonly subscribers: number;
  /** Flush and pause after every `flushEvery` deltas, so faults land mid-append and mid-read. */
  readonly flushEvery: number;
  readonly pauseMs: number;
  /** Called once every subscription is ready; the function it returns is called once all saw Done. */
  readonly startFaults: () => () => void;
}

/**
 * Opens `subscribers` subscriptions, turns faults on, publishes `deltas` numbered text deltas and
 * a Done, and returns what each subscription received up to its Done (the publisher is closed;
 * the repositories are the caller's to close).
 */
export async function streamDeltasThroughFaults(options: FaultStreamOptions): Promise<ReceivedTokens[]> {
  const { settings, taskId, deltas } = options;
  const publisher = createPublisher({
    repository: options.writer,
    clock: systemClock,
    logger: quiet,
    settings,
    retry: options.publisherRetry,
    maxPendingEntries: deltas * 2,
  });
  const subscriber = createSubscriber({ repository: options.reader, clock: systemClock, logger: quiet, settings, tuning: options.subscriberTuning });
  const subscriptions = Array.from({ length: options.subscribers }, () => subscriber.open(taskId));
  await Promise.all(subscriptions.map((s) => s.ready));
  const received = subscriptions.map(async (subscription) => {
    const tokens: string[] = [];
    let dones = 0;
    for await (const item of subscription) {
      const event = item.event;
      if (event.type === 'delta' && event.delta.type === 'text') tokens.push(event.delta.textDelta);
      if (event.type === 'done') {
        dones++;
        break;
      }
    }
    return { tokens, dones };
  });

  const stopFaults = options.startFaults();
  const message = publisher.open(taskId);
  for (let i = 0; i < deltas; i++) {
    message.delta({ type: 'text', textDelta: `<${i}>` });
    if (i % options.flushEvery === options.flushEvery - 1) {
      await message.flush();
      await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  }
  await message.done({ final: true });
  const results = await Promise.all(received);
  stopFaults();
  await publisher.close();
  return results;
}

/**
 * Every subscriber got each of the `deltas` deltas once, in order, and exactly one Done; and the
 * stream at `topic` holds each delta once and one Done (retried appends were deduplicated).
 */
export async function expectEachDeltaOnce(
  results: readonly ReceivedTokens[],
  check: { readonly deltas: number; readonly seed: number; readonly repository: StreamRepository; readonly topic: string },
): Promise<void> {
  const { deltas, seed } = check;
  const expected = Array.from({ length: deltas }, (_, i) => `<${i}>`).join('');
  results.forEach(({ tokens, dones }, n) => {
    expect(dones, `subscriber ${n} (seed ${seed})`).toBe(1);
    expect(tokens.length, `subscriber ${n} delta count (seed ${seed})`).toBe(deltas);
    expect(tokens.join(''), `subscriber ${n} order (seed ${seed})`).toBe(expected);
  });
  const all = await check.repository.read(check.topic, '0-0', { count: 0 });
  const events = all.map((entry) => agentexCodec.decode(entry));
  expect(events.filter((e) => e.type === 'delta')).toHaveLength(deltas);
  expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
}
