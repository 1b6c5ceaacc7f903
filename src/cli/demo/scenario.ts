import type { Clock } from '../../ports/clock.js';
import { sleep } from '../../domain/sleep.js';
import type { Publisher } from '../../domain/publisher/index.js';
import type { Subscriber } from '../../domain/subscriber/index.js';
import { Tally } from './tally.js';

/** Sizes and pace of a demo run. */
export interface DemoPlan {
  /** Simulated agents, one task each. */
  readonly agents: number;
  /** Messages each agent streams. */
  readonly messages: number;
  /** Token deltas per message. */
  readonly tokens: number;
  /** Tokens per second per agent. */
  readonly rate: number;
}

/** The tokens agent `a` sends in message `m`: unique words, so drops and duplicates are countable. */
export function tokensOf(agent: number, message: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `a${agent}m${message}t${i} `);
}

export function taskIdOf(runId: string, agent: number): string {
  return `demo-${runId}-agent${agent}`;
}

/** One simulated agent: streams its messages at token rate, then marks the task COMPLETED. */
export async function runAgent(publisher: Publisher, clock: Clock, plan: DemoPlan, taskId: string, agent: number, onToken: () => void): Promise<void> {
  const interval = 1000 / plan.rate;
  for (let m = 0; m < plan.messages; m++) {
    await using message = publisher.open(taskId, { index: m });
    for (const token of tokensOf(agent, m, plan.tokens)) {
      message.delta({ type: 'text', textDelta: token });
      onToken();
      await sleep(clock, interval);
    }
    await message.done({ index: m, demo_agent: agent });
  }
  await publisher.updateTask(taskId, 'COMPLETED');
}

/**
 * A reader of every task. Opens one subscription per task, resolves `ready` once every start
 * point is fixed (so nothing written afterwards can be missed), and `done` with the last id per
 * task once each task reached its terminal status (or the signal fired).
 */
export function readAll(
  subscriber: Subscriber,
  taskIds: readonly string[],
  tally: Tally,
  options: { readonly lastEventIds?: ReadonlyMap<string, string>; readonly signal?: AbortSignal; readonly onItem?: () => void } = {},
): { ready: Promise<void>; done: Promise<Map<string, string>> } {
  const lastIds = new Map<string, string>();
  const subscriptions = taskIds.map((taskId) => ({
    taskId,
    subscription: subscriber.open(taskId, {
      untilTerminal: true,
      lastEventId: options.lastEventIds?.get(taskId) ?? null,
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  }));
  const ready = Promise.all(
    subscriptions.map(async ({ taskId, subscription }) => {
      lastIds.set(taskId, (await subscription.ready).startId);
    }),
  ).then(() => undefined);
  const done = ready.then(async () => {
    await Promise.all(
      subscriptions.map(async ({ taskId, subscription }) => {
        for await (const item of subscription) {
          tally.record(taskId, item);
          lastIds.set(taskId, item.id);
          options.onItem?.();
        }
      }),
    );
    return lastIds;
  });
  return { ready, done };
}

export { Tally };
