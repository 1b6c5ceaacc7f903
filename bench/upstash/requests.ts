/**
 * Request cost and latency of the Upstash backend, held reads (`readMode: 'block'`) side by side
 * with the adaptive poller (`readMode: 'poll'`) in one run, against the local REST server in
 * front of a real redis-server (both in a child process, `serve.ts`, so the server does not share
 * the clients' event loop; requests are counted at the client's `fetch`): an idle process with N
 * subscribers, then the same process while T tasks stream tokens. Run: `npx tsx bench/upstash/requests.ts [subscribers] [tasks] [seconds]`
 * (defaults 100, 10, 15). Real time, production defaults otherwise (coalesced deltas,
 * subscriber blockMs 5 s, held block 10 s, polls 25-1000 ms).
 */
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { createUpstashRepository, type UpstashRepository } from '../../src/adapters/upstash/index.js';
import { wrapRepository } from '../../src/conformance/wrap-repository.js';
import { createPublisher, createSubscriber } from '../../src/defaults.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SUBSCRIBERS = Number(process.argv[2] ?? 100);
const TASKS = Number(process.argv[3] ?? 10);
const SECONDS = Number(process.argv[4] ?? 15);
const TOKENS_PER_SECOND = 25;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Server {
  readonly url: string;
  readonly token: string;
  /** Every `fetch` the repositories made, by first command name (`EVALSHA`, `XREAD`, ...). */
  readonly stats: { requests: number; readonly byCommand: Map<string, number> };
  readonly fetch: typeof fetch;
}

async function startServer(): Promise<{ server: Server; stop: () => void }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL('./serve.ts', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  const { url, token } = JSON.parse(line) as { url: string; token: string };
  const stats = { requests: 0, byCommand: new Map<string, number>() };
  const counting: typeof fetch = (input, init) => {
    stats.requests++;
    const name = /^\[\s*"([A-Za-z]+)"/.exec(String(init?.body ?? ''))?.[1]?.toUpperCase() ?? '?';
    stats.byCommand.set(name, (stats.byCommand.get(name) ?? 0) + 1);
    return fetch(input, init);
  };
  return { server: { url, token, stats, fetch: counting }, stop: () => child.stdin!.end() };
}

interface Result {
  readonly mode: 'block' | 'poll';
  readonly idleRequestsPerMin: number;
  readonly deltas: number;
  readonly appends: number;
  readonly reads: number;
  readonly requests: number;
  readonly fromDelta: number[];
  readonly fromAppend: number[];
  readonly complete: boolean;
  readonly interrupts: number;
  /** Durations of the publisher's append requests while active (the round trip under this load). */
  readonly appendMs: number[];
}

/** One REST round trip, as the repository sends it (a `tailId`: one `EVALSHA`), median of 200. */
async function roundTripMs(server: Server): Promise<number> {
  const repo = createUpstashRepository({ url: server.url, token: server.token });
  const samples: number[] = [];
  for (let i = 0; i < 220; i++) {
    const start = performance.now();
    await repo.tailId('bench-rtt');
    if (i >= 20) samples.push(performance.now() - start);
  }
  await repo.close();
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function run(server: Server, mode: 'block' | 'poll'): Promise<Result> {
  const repository: UpstashRepository = createUpstashRepository({ url: server.url, token: server.token, fetch: server.fetch, readMode: mode });
  const publisherRepo = createUpstashRepository({ url: server.url, token: server.token, fetch: server.fetch });
  // When each token's entry was first handed to an append (the publisher's coalescing wait is over).
  const appendedAt = new Map<number, number>();
  const appendMs: number[] = [];
  const timedRepo = wrapRepository(publisherRepo, {
    append: (request) => {
      const now = Date.now();
      for (const entry of request.entries) for (const m of JSON.stringify(entry).matchAll(/ tok(\d+)/g)) if (!appendedAt.has(Number(m[1]))) appendedAt.set(Number(m[1]), now);
      const started = performance.now();
      return publisherRepo.append(request).finally(() => appendMs.push(performance.now() - started));
    },
  });
  const subscriber = createSubscriber({ repository, clock: systemClock });
  const publisher = createPublisher({ repository: timedRepo, clock: systemClock });
  const taskIds = Array.from({ length: TASKS }, (_, i) => `bench-${mode}-${Date.now()}-${i}`);
  const received = new Array<number>(SUBSCRIBERS).fill(0);
  const sentAt = new Map<number, number>();
  const fromDelta: number[] = [];
  const fromAppend: number[] = [];
  const subscriptions = Array.from({ length: SUBSCRIBERS }, (_, i) => subscriber.open(taskIds[i % TASKS]!));
  await Promise.all(subscriptions.map((s) => s.ready));
  const loops = subscriptions.map(async (s, i) => {
    for await (const { event } of s) {
      if (event.type === 'delta' && event.delta.type === 'text') {
        // Coalescing merges deltas, so count the tokens they carry.
        const tokens = event.delta.textDelta.split(' tok').slice(1).map(Number);
        received[i]! += tokens.length;
        // Sampled on the first subscriber of each task.
        if (i < TASKS) {
          const now = Date.now();
          for (const t of tokens) {
            fromDelta.push(now - sentAt.get(t)!);
            fromAppend.push(now - appendedAt.get(t)!);
          }
        }
      }
    }
  });

  await sleep(5_000); // the poller backs off to its idle interval; the held reader settles
  const idleStart = { at: Date.now(), requests: server.stats.requests };
  await sleep(SECONDS * 1_000);
  const idleRequestsPerMin = (server.stats.requests - idleStart.requests) / ((Date.now() - idleStart.at) / 60_000);

  const before = { requests: server.stats.requests, evals: server.stats.byCommand.get('EVALSHA') ?? 0, reads: server.stats.byCommand.get('XREAD') ?? 0, interrupts: repository.heldStats.interrupts };
  const messages = taskIds.map((id) => publisher.open(id));
  let deltas = 0;
  const end = Date.now() + SECONDS * 1_000;
  while (Date.now() < end) {
    for (const m of messages) {
      sentAt.set(deltas, Date.now());
      m.delta({ type: 'text', textDelta: ` tok${deltas++}` });
    }
    await sleep(1_000 / TOKENS_PER_SECOND);
  }
  await Promise.all(messages.map((m) => m.done()));
  const after = { requests: server.stats.requests, evals: server.stats.byCommand.get('EVALSHA') ?? 0, reads: server.stats.byCommand.get('XREAD') ?? 0 };
  await sleep(1_000);
  const complete = received.every((n) => n === deltas / TASKS);
  for (const s of subscriptions) s.close();
  await Promise.all(loops);
  await publisher.close();
  await repository.close();
  await publisherRepo.close();
  return {
    mode,
    idleRequestsPerMin,
    deltas,
    appends: after.evals - before.evals,
    reads: after.reads - before.reads,
    requests: after.requests - before.requests,
    fromDelta,
    fromAppend,
    complete,
    interrupts: repository.heldStats.interrupts - before.interrupts,
    appendMs,
  };
}

function pct(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const keepAlive = setInterval(() => undefined, 1 << 30);
const { server, stop } = await startServer();
const rttBefore = await roundTripMs(server);
const results = [await run(server, 'poll'), await run(server, 'block')];
const rtt = (rttBefore + (await roundTripMs(server))) / 2;
clearInterval(keepAlive);
stop();

const f = (n: number): string => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 0) : 'n/a');
const lat = (s: number[]): string => `${pct(s, 50)} / ${pct(s, 95)} / ${pct(s, 99)} / ${pct(s, 100)}`;
console.log(`one REST round trip (median of tailId, before and after): ${f(rtt)} ms; p50 target 2 × RTT + 5 ms = ${f(2 * rtt + 5)} ms`);
console.log('');
console.log(`| readMode | idle req/min (${SUBSCRIBERS} subs) | append round trip while active p50 ms | deltas | append req | read req | read req/delta | all req/delta | append→subscriber p50/p95/p99/max ms | delta()→subscriber p50/p95/p99/max ms | interrupts | all delivered |`);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.mode} | ${f(r.idleRequestsPerMin)} | ${f(pct(r.appendMs, 50))} | ${r.deltas} | ${r.appends} | ${r.reads} | ${f(r.reads / r.deltas)} | ${f(r.requests / r.deltas)} | ${lat(r.fromAppend)} | ${lat(r.fromDelta)} | ${r.interrupts} | ${r.complete} |`,
  );
}
const [poll, block] = results as [Result, Result];
console.log('');
console.log(`block vs poll: p50 append→subscriber ${f(pct(block.fromAppend, 50) / Math.max(1, pct(poll.fromAppend, 50)))}×, p99 ${f(pct(block.fromAppend, 99) / Math.max(1, pct(poll.fromAppend, 99)))}×, idle requests ${f(block.idleRequestsPerMin / poll.idleRequestsPerMin)}×, read requests per delta ${f(block.reads / block.deltas / (poll.reads / poll.deltas))}×`);
