import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import { configFromEnv, createContainer } from '../../container.js';
import { requireNonNegativeInteger } from '../../domain/validation.js';
import { TaskStreamError } from '../../domain/errors.js';
import type { CliIo } from '../io.js';
import { ProgressBar } from './progress.js';
import { allGood, renderTable, rowFor } from './report.js';
import { readAll, runAgent, taskIdOf, Tally, type DemoPlan } from './scenario.js';

const HELP = `usage: taskstream demo [--agents N] [--messages N] [--tokens N] [--rate N] [--backend memory|redis|upstash]

Simulated agents stream token deltas at token rate; four subscribers read every task:
  live-1, live-2  subscribe before the agents start (tail snapshot)
  late-joiner     joins at 40% and replays the retained history (Last-Event-ID 0-0)
  resumer         disconnects at 50% and resumes with the last id it saw
At the end a table compares what each subscriber received with what was sent.
The backend comes from TASKSTREAM_BACKEND (default: the embedded in-memory backend).
`;

const DEMO_OPTIONS = {
  agents: { type: 'string', default: '4' },
  messages: { type: 'string', default: '2' },
  tokens: { type: 'string', default: '120' },
  rate: { type: 'string', default: '60' },
  backend: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/** Parses the demo's options; bad values get `INVALID_CONFIG` naming the option. */
export function parseDemoArgs(argv: string[]): { plan: DemoPlan; backend: string | undefined; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: DEMO_OPTIONS });
  } catch (err) {
    throw new TaskStreamError('INVALID_CONFIG', `taskstream demo: ${(err as Error).message}`, { cause: err });
  }
  const { values } = parsed;
  const int = (name: string, raw: string): number => requireNonNegativeInteger(`--${name}`, /^[0-9]+$/.test(raw) ? Number(raw) : raw, 1);
  return {
    plan: { agents: int('agents', values.agents), messages: int('messages', values.messages), tokens: int('tokens', values.tokens), rate: int('rate', values.rate) },
    backend: values.backend,
    help: values.help,
  };
}

/** `taskstream demo`: resolves 0 when every subscriber got every delta once and one Done per message. */
export async function runDemo(argv: string[], io: CliIo): Promise<number> {
  const { plan, backend, help } = parseDemoArgs(argv);
  if (help) {
    io.stdout.write(HELP);
    return 0;
  }
  const env = backend === undefined ? io.env : { ...io.env, TASKSTREAM_BACKEND: backend };
  const ts = await createContainer(configFromEnv(env));
  // On failure, readers are stopped and settled before the backend closes under them.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const readers: Promise<unknown>[] = [];
  try {
    const runId = randomUUID().slice(0, 8);
    const taskIds = Array.from({ length: plan.agents }, (_, a) => taskIdOf(runId, a));
    const total = plan.agents * plan.messages * plan.tokens;
    io.stdout.write(
      `taskstream demo on the ${ts.config.backend.kind} backend: ${plan.agents} agents x ${plan.messages} messages x ${plan.tokens} tokens at ${plan.rate} tokens/s, 4 subscribers\n`,
    );

    const tallies = { 'live-1': new Tally(), 'live-2': new Tally(), 'late-joiner': new Tally(), resumer: new Tally() };
    const progress = new ProgressBar(io.stdout, total);
    let sent = 0;
    const slowest = (): number => Math.min(...Object.values(tallies).map((t) => t.deltaEntries));

    const live1 = readAll(ts.subscriber, taskIds, tallies['live-1'], { signal: stop.signal });
    const live2 = readAll(ts.subscriber, taskIds, tallies['live-2'], { signal: stop.signal });
    const disconnect = new AbortController();
    const resumerFirst = readAll(ts.subscriber, taskIds, tallies.resumer, { signal: AbortSignal.any([disconnect.signal, stop.signal]) });
    readers.push(live1.done, live2.done, resumerFirst.done);
    await Promise.all([live1.ready, live2.ready, resumerFirst.ready]);

    let late: Promise<Map<string, string>> | undefined;
    let resumed: Promise<Map<string, string>> | undefined;
    const onToken = (): void => {
      sent++;
      progress.update(sent, slowest());
      if (late === undefined && sent >= total * 0.4) {
        late = readAll(ts.subscriber, taskIds, tallies['late-joiner'], { lastEventIds: new Map(taskIds.map((t) => [t, '0-0'])), signal: stop.signal }).done;
        readers.push(late);
      }
      if (resumed === undefined && sent >= total * 0.5) {
        disconnect.abort();
        resumed = resumerFirst.done.then((lastIds) => readAll(ts.subscriber, taskIds, tallies.resumer, { lastEventIds: lastIds, signal: stop.signal }).done);
        readers.push(resumed);
      }
    };

    await Promise.all(taskIds.map((taskId, a) => runAgent(ts.publisher, ts.clock, plan, taskId, a, onToken)));
    await Promise.all([live1.done, live2.done, late, resumed]);
    progress.update(sent, slowest());
    progress.finish();

    const rows = Object.entries(tallies).map(([name, tally]) => rowFor(name, tally, plan, runId));
    io.stdout.write(`\n${renderTable(rows)}`);
    const good = allGood(rows);
    io.stdout.write(
      good
        ? '\nEvery subscriber received every delta exactly once, in order, and exactly one Done per message.\n'
        : '\nSome subscriber missed, repeated or reordered deltas, or saw a wrong number of Done events.\n',
    );
    return good ? 0 : 1;
  } finally {
    stop.abort();
    await Promise.allSettled(readers);
    await ts.close();
  }
}
