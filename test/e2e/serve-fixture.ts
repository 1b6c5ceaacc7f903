import { createContainer, type TaskStreamContainer } from '../../src/container.js';
import { startServeServer, type ServeServer } from '../../src/cli/serve/server.js';
import type { SimulatedTask } from '../../src/cli/serve/agents.js';

import { silentLogger as silent } from '../helpers/silent-logger.js';

/** `taskstream serve`'s server in-process on the memory backend, with a short retry hint. */
export async function startServe(script: { agents?: number; messages?: number; tokensPerSecond?: number } = {}): Promise<{ services: TaskStreamContainer; serve: ServeServer; close(): Promise<void> }> {
  const services = await createContainer({ backend: { kind: 'memory' } }, { logger: silent });
  const serve = await startServeServer({ services, script: { agents: 3, messages: 2, tokensPerSecond: 25, ...script }, sse: { retryMs: 250 } });
  return {
    services,
    serve,
    async close() {
      await serve.close();
      await services.close();
    },
  };
}

/** What one reader saw of one task: text per message and Done count per message. */
export class TaskView {
  readonly texts: string[] = [];
  readonly dones: number[] = [];
  readonly types: string[] = [];
  ended = false;
  lastId: string | undefined;

  apply(type: string, data: string, id: string | undefined): void {
    this.types.push(type);
    if (id) this.lastId = id;
    const event = JSON.parse(data) as { index: number; delta?: { type: string; textDelta: string } };
    if (type === 'start') this.texts[event.index] ??= '';
    if (type === 'delta' && event.delta?.type === 'text') this.texts[event.index] = (this.texts[event.index] ?? '') + event.delta.textDelta;
    if (type === 'done') this.dones[event.index] = (this.dones[event.index] ?? 0) + 1;
    if (type === 'end') this.ended = true;
  }
}

export const SSE_EVENT_TYPES = ['connected', 'start', 'delta', 'full', 'done', 'task_updated', 'error', 'gap', 'decode_error', 'end'];

/** Ids of the tasks whose agent has published its terminal status. */
export function trackFinished(tasks: Iterable<SimulatedTask>): Set<string> {
  const finished = new Set<string>();
  for (const t of tasks) void t.finished.then(() => finished.add(t.taskId));
  return finished;
}

/** Polls `predicate` every 20 ms, failing after `ms`. */
export async function waitFor(predicate: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
