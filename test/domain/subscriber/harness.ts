import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { agentexCodec } from '../../../src/domain/codec/index.js';
import type { SubscriptionItem, TaskEvent } from '../../../src/domain/events.js';
import { createSubscriber } from '../../../src/defaults.js';
import type { SubscriberOptions } from '../../../src/domain/subscriber/index.js';
import type { Subscription } from '../../../src/domain/subscriber/index.js';
import type { StreamRepository } from '../../../src/ports/stream-repository.js';
import { silentLogger } from '../../helpers/silent-logger.js';

export const TASK = 'task-1';
export const TOPIC = `task:${TASK}`;

/** Lets promise chains and the memory backend's callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function status(seq: number, value = 'RUNNING'): TaskEvent {
  return { type: 'task_updated', seq, status: value, fields: {} };
}

/** A memory backend on a FakeClock, a subscriber over it, and helpers to append events. */
export function setup(options: { wrap?: (r: StreamRepository) => StreamRepository; subscriber?: Partial<SubscriberOptions> } = {}) {
  const clock = new FakeClock();
  const memory = createMemoryRepository({ clock });
  const repository = options.wrap ? options.wrap(memory) : memory;
  const subscriber = createSubscriber({ repository, clock, logger: silentLogger, ...options.subscriber });
  const append = async (events: readonly TaskEvent[], retention = { maxLen: 0, ttlSeconds: 600 }) =>
    (await memory.append({ topic: TOPIC, entries: events.map((e) => agentexCodec.encode(e, TASK)), ...retention })).ids;
  return { clock, memory, repository, subscriber, append };
}

/** Consumes a subscription in the background. */
export function consume(subscription: Subscription) {
  const items: SubscriptionItem[] = [];
  const state: { done: boolean; error: unknown } = { done: false, error: undefined };
  const iterator = subscription[Symbol.asyncIterator]();
  const finished = (async () => {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        items.push(next.value);
      }
    } catch (err) {
      state.error = err;
    } finally {
      state.done = true;
    }
  })();
  return { items, state, iterator, finished };
}

/** The `seq` of each task_updated item, or the item type otherwise. */
export function seqs(items: readonly SubscriptionItem[]): (number | string)[] {
  return items.map((i) => (i.event.type === 'task_updated' ? i.event.seq : i.event.type));
}
