// The worked example of docs/testing-agents.md, run in the suite. Keep the two in sync
// (the doc imports from the package: 'taskstream' and 'taskstream/adapters/http').
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMemoryRepository } from '../../src/adapters/memory/index.js';
import { FakeClock } from '../../src/adapters/clock/index.js';
import { sseResponse } from '../../src/adapters/http/index.js';
import { agentexCodec } from '../../src/domain/codec/index.js';
import { createPublisher } from '../../src/defaults.js';
import type { Publisher } from '../../src/domain/publisher/index.js';
import { createSubscriber } from '../../src/defaults.js';
import type { Subscriber } from '../../src/domain/subscriber/index.js';
import type { Clock } from '../../src/ports/clock.js';
import type { SubscriptionItem } from '../../src/domain/events.js';

// --- my-agent.ts: the code under test -------------------------------------------------------
export async function streamAnswer(publisher: Publisher, taskId: string, tokens: AsyncIterable<string>): Promise<void> {
  await publisher.updateTask(taskId, 'RUNNING');
  const message = publisher.open(taskId, { start: { type: 'text', author: 'agent', content: '' } });
  try {
    for await (const token of tokens) message.delta({ type: 'text', textDelta: token });
    await message.done({ finish_reason: 'stop' });
    await publisher.updateTask(taskId, 'COMPLETED');
  } catch (err) {
    await message.close(); // still exactly one done for the message
    await publisher.error(taskId, err instanceof Error ? err.message : String(err));
    await publisher.updateTask(taskId, 'FAILED');
  }
}

// --- test helpers --------------------------------------------------------------------------------
function setup() {
  const clock = new FakeClock();
  const repository = createMemoryRepository({ clock });
  const publisher = createPublisher({ repository, codec: agentexCodec, clock });
  const subscriber = createSubscriber({ repository, codec: agentexCodec, clock });
  return { clock, repository, publisher, subscriber };
}

/** A fake LLM: yields `tokens`, each after `ms` of the given clock's time; throws `failAt` if set. */
async function* llm(clock: Clock, tokens: string[], ms: number, failAt?: number): AsyncGenerator<string> {
  for (const [i, token] of tokens.entries()) {
    if (i === failAt) throw new Error('model overloaded');
    await new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
    yield token;
  }
}

/** Everything a reader that starts from the beginning sees, up to the terminal status. */
async function history(subscriber: Subscriber, taskId: string): Promise<SubscriptionItem['event'][]> {
  const events: SubscriptionItem['event'][] = [];
  for await (const item of subscriber.open(taskId, { lastEventId: '0-0', untilTerminal: true })) events.push(item.event);
  return events;
}

const textOf = (events: SubscriptionItem['event'][]): string =>
  events.map((e) => (e.type === 'delta' && e.delta.type === 'text' ? e.delta.textDelta : '')).join('');

// --- the tests -----------------------------------------------------------------------------------
describe('my agent', () => {
  it('streams the whole answer, then exactly one done, then COMPLETED', async () => {
    const { clock, publisher, subscriber } = setup();
    const run = streamAnswer(publisher, 'task-1', llm(clock, ['Hel', 'lo', ', ', 'world'], 20));
    await clock.advance(1_000); // a second of model time passes at once
    await run;
    const events = await history(subscriber, 'task-1');
    expect(textOf(events)).toBe('Hello, world');
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'task_updated', status: 'COMPLETED' });
    expect(clock.pendingCount).toBe(0); // nothing left running
  });

  it('coalesces tokens that arrive within the 50 ms flush window into fewer stream entries', async () => {
    const { clock, publisher, repository } = setup();
    const tokens = Array.from({ length: 100 }, (_, i) => `t${i} `);
    const run = streamAnswer(publisher, 'task-2', llm(clock, tokens, 5)); // 200 tokens/s
    await clock.advance(2_000);
    await run;
    const info = await repository.info('task:task-2');
    expect(info!.length).toBeLessThan(30); // 100 deltas, batched: no more than ~1 entry per 50 ms
  });

  it('reports a model failure: the text so far, one done, an error and FAILED', async () => {
    const { clock, publisher, subscriber } = setup();
    const run = streamAnswer(publisher, 'task-3', llm(clock, ['a', 'b', 'c', 'd'], 10, 2));
    await clock.advance(1_000);
    await run;
    const events = await history(subscriber, 'task-3');
    expect(textOf(events)).toBe('ab');
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ message: 'model overloaded' });
    expect(events.at(-1)).toMatchObject({ type: 'task_updated', status: 'FAILED' });
  });

  it('serves the finished task over SSE to a browser that connects late', async () => {
    const { clock, publisher, subscriber } = setup();
    const run = streamAnswer(publisher, 'task-4', llm(clock, ['late ', 'but ', 'whole'], 10));
    await clock.advance(1_000);
    await run;
    const response = await sseResponse(subscriber, 'task-4', new Request('http://test/tasks/task-4/events'), { clock });
    const body = await response.text(); // the response ends after the terminal status
    const events = [...body.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe('connected');
    expect(events.filter((e) => e === 'done')).toHaveLength(1);
    expect(events.slice(-2)).toEqual(['task_updated', 'end']);
    expect(body).toContain('"textDelta":"late "');
  });
});

describe('docs/testing-agents.md', () => {
  it('shows exactly the code of this file', () => {
    const doc = readFileSync(new URL('../../docs/testing-agents.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const agent = source.slice(source.indexOf('export async function streamAnswer'), source.indexOf('// --- test helpers')).trim();
    const tests = source.slice(source.indexOf('function setup()'), source.indexOf("\ndescribe('docs/testing-agents.md'")).trim();
    expect(doc).toContain(agent);
    expect(doc).toContain(tests.replace(/\/\/ --- the tests -+\n/, ''));
  });
});
