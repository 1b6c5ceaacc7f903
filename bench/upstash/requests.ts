/**
 * Request cost of the Upstash backend, counted by the local REST server in front of a real
 * redis-server: an idle process with 100 subscribers, then the same process while 10 tasks
 * stream tokens. Run: `npx tsx bench/upstash/requests.ts [subscribers] [tasks] [seconds]`
 * (defaults 100, 10, 20). Real time, production defaults (coalesced deltas, 25-1000 ms polls).
 */
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { createUpstashRepository } from '../../src/adapters/upstash/index.js';
import { createPublisher } from '../../src/defaults.js';
import { createSubscriber } from '../../src/defaults.js';
import { startUpstashStack } from '../../test/upstash-server/stack.js';

const SUBSCRIBERS = Number(process.argv[2] ?? 100);
const TASKS = Number(process.argv[3] ?? 10);
const SECONDS = Number(process.argv[4] ?? 20);
const TOKENS_PER_SECOND = 25;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const stack = await startUpstashStack();
const repository = createUpstashRepository({ url: stack.server.url, token: stack.server.token });
const publisherRepo = createUpstashRepository({ url: stack.server.url, token: stack.server.token });
const subscriber = createSubscriber({ repository, clock: systemClock });
const publisher = createPublisher({ repository: publisherRepo, clock: systemClock });
const keepAlive = setInterval(() => undefined, 1 << 30);

const taskIds = Array.from({ length: TASKS }, (_, i) => `bench-${Date.now()}-${i}`);
const received = new Array<number>(SUBSCRIBERS).fill(0);
const sentAt = new Map<number, number>();
const latencies: number[] = [];
const subscriptions = Array.from({ length: SUBSCRIBERS }, (_, i) => subscriber.open(taskIds[i % TASKS]!));
await Promise.all(subscriptions.map((s) => s.ready));
const loops = subscriptions.map(async (s, i) => {
  for await (const { event } of s) {
    // Coalescing merges deltas, so count the tokens they carry.
    if (event.type === 'delta' && event.delta.type === 'text') {
      const tokens = event.delta.textDelta.split(' tok').slice(1);
      received[i]! += tokens.length;
      // Latency from delta() to a subscriber, sampled on the first subscriber of each task.
      if (i < TASKS) for (const t of tokens) latencies.push(Date.now() - sentAt.get(Number(t))!);
    }
  }
});

function window() {
  const start = { at: Date.now(), requests: stack.server.stats.requests, reads: repository.pollStats.reads, polls: repository.pollStats.polls };
  const evalsBefore = stack.server.stats.byCommand.get('EVALSHA') ?? 0;
  return () => {
    const minutes = (Date.now() - start.at) / 60_000;
    return {
      minutes,
      requestsPerMin: (stack.server.stats.requests - start.requests) / minutes,
      pollsPerMin: (repository.pollStats.polls - start.polls) / minutes,
      unmultiplexedPerMin: (repository.pollStats.reads - start.reads) / minutes,
      appends: (stack.server.stats.byCommand.get('EVALSHA') ?? 0) - evalsBefore,
      requests: stack.server.stats.requests - start.requests,
      polls: repository.pollStats.polls - start.polls,
    };
  };
}

await sleep(5_000); // let every poller back off to its idle interval
const idle = window();
await sleep(SECONDS * 1_000);
const idleResult = idle();

const active = window();
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
const activeResult = active();
const expectedPerSubscriber = deltas / TASKS;
await sleep(2_000);
const complete = received.every((n) => n === expectedPerSubscriber);

const f = (n: number): string => n.toFixed(n < 10 ? 2 : 0);
console.log(`| scenario | HTTP requests/min | polls/min | reads asked/min (one request each without multiplexing) |`);
console.log(`|---|---|---|---|`);
console.log(`| idle, ${SUBSCRIBERS} subscribers | ${f(idleResult.requestsPerMin)} | ${f(idleResult.pollsPerMin)} | ${f(idleResult.unmultiplexedPerMin)} |`);
console.log(`| active, ${SUBSCRIBERS} subscribers on ${TASKS} tasks, ${TOKENS_PER_SECOND} tokens/s each | ${f(activeResult.requestsPerMin)} | ${f(activeResult.pollsPerMin)} | ${f(activeResult.unmultiplexedPerMin)} |`);
console.log('');
console.log(`active: ${deltas} deltas, ${activeResult.appends} append requests (${f(activeResult.appends / deltas)}/delta), ${activeResult.polls} polls (${f(activeResult.polls / deltas)}/delta), ${activeResult.requests} requests in all (${f(activeResult.requests / deltas)}/delta); every subscriber got every delta: ${complete}`);

latencies.sort((a, b) => a - b);
const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
console.log(`active: latency from delta() to a subscriber: p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms (${latencies.length} samples)`);

clearInterval(keepAlive);
for (const s of subscriptions) s.close();
await Promise.all(loops);
await publisher.close();
await repository.close();
await publisherRepo.close();
await stack.stop();
