import type { Publisher } from '../../domain/publisher/index.js';
import { sleep } from '../../domain/sleep.js';
import type { Clock } from '../../ports/clock.js';

/** One simulated agent's part in a run. */
export interface SimulatedTask {
  readonly taskId: string;
  readonly agent: string;
  /** The text of each message, as sent so far (index = message index). */
  readonly sent: string[];
  /** Resolves when the agent has published its terminal status. */
  readonly finished: Promise<void>;
}

/** How the simulated agents behave. */
export interface AgentScript {
  /** Agents per run. @default 3 */
  readonly agents: number;
  /** Messages each agent writes. @default 2 */
  readonly messages: number;
  /** Tokens per second per agent. @default 30 */
  readonly tokensPerSecond: number;
}

const PERSONAS = ['planner', 'researcher', 'coder', 'critic', 'writer', 'tester'];

const LINES = [
  'Reading the task: stream tokens to every reader, drop nothing, and end each message with exactly one Done.',
  'Plan:\n1. snapshot the tail\n2. read after it\n3. resume with "Last-Event-ID" when the line drops.',
  'Unicode survives the trip: café, naïve, 東京, emoji 😀🚀, and a line\u2028separator.',
  'Checking edge cases — quotes "like this", backslashes \\ and braces {x} are only data.',
  'Result: every delta arrived in order; the page shows the same text the agent sent.',
];

/** Splits text into token-sized pieces (a word with its trailing space, or a line break). */
export function tokenize(text: string): string[] {
  return text.match(/\n|[^\s]+[ \t]*|[ \t]+/gu) ?? [];
}

/** The text agent `agentIndex` writes as message `messageIndex`. */
export function scriptedText(agentIndex: number, messageIndex: number): string {
  return LINES[(agentIndex + messageIndex * 2) % LINES.length]!;
}


async function runAgent(publisher: Publisher, clock: Clock, task: SimulatedTask, agentIndex: number, script: AgentScript, signal: AbortSignal): Promise<void> {
  const delay = Math.max(1, Math.round(1000 / script.tokensPerSecond));
  await publisher.updateTask(task.taskId, 'RUNNING', { agent: task.agent });
  for (let m = 0; m < script.messages && !signal.aborted; m++) {
    const message = publisher.open(task.taskId, { index: m, start: { type: 'text', author: 'agent', content: '' } });
    task.sent[m] = '';
    try {
      for (const token of tokenize(scriptedText(agentIndex, m))) {
        await sleep(clock, delay, signal);
        if (signal.aborted) break;
        message.delta({ type: 'text', textDelta: token });
        task.sent[m] += token;
      }
      await message.done({ agent: task.agent });
    } finally {
      await message.close();
    }
  }
  await publisher.updateTask(task.taskId, signal.aborted ? 'CANCELED' : 'COMPLETED', { agent: task.agent });
}

/** Starts one run: `script.agents` agents, each on its own task, publishing at token rate. */
export function startRun(publisher: Publisher, clock: Clock, script: AgentScript, runId: string, signal: AbortSignal): SimulatedTask[] {
  return Array.from({ length: script.agents }, (_, i) => {
    const agent = PERSONAS[i % PERSONAS.length]!;
    const sent: string[] = [];
    const taskId = `${runId}-${agent}${i >= PERSONAS.length ? i : ''}`;
    const task: { -readonly [K in keyof SimulatedTask]: SimulatedTask[K] } = { taskId, agent, sent, finished: Promise.resolve() };
    task.finished = runAgent(publisher, clock, task, i, script, signal);
    return task;
  });
}
