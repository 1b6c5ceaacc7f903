/**
 * The same token workload through taskstream and through the peer users pick today,
 * `resumable-stream` (its ioredis entry point), on the same redis-server: one writer, three live
 * readers, and one reader that disconnects half way and resumes. Writer and readers each get
 * their own "process" worth of connections (two contexts/repositories), as two servers would.
 * Run: npx tsx bench/ioredis/peer-resumable-stream.ts
 */
import { Redis } from 'ioredis';
import { createResumableStreamContext } from 'resumable-stream/ioredis';
import { createIoredisRepository } from '../../src/adapters/ioredis/index.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { createPublisher } from '../../src/defaults.js';
import { createSubscriber } from '../../src/defaults.js';
import type { CoalesceMode } from '../../src/domain/config.js';
import { clientCountAfter, clientSent, commandStats, percentile, runAsScript, SCRIPT_INNER, sleep, sleepUnref, statsDiff, sumCalls } from './support.js';

export interface PeerRow {
  readonly system: string;
  readonly tokens: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly connections: number;
  /** Commands Redis executed per delta (INFO commandstats; includes those run inside taskstream's script). */
  readonly commandsPerDelta: number;
  /** Commands the clients sent per delta (round trips' worth; the script counts once). */
  readonly clientCommandsPerDelta: number;
  readonly liveReadersComplete: boolean;
  readonly resumerGotEveryByte: boolean;
}

const LIVE_READERS = 3;

/** Emits `tokens` timestamped tokens at `rate` per second; returns the full text once done. */
async function produce(tokens: number, rate: number, emit: (text: string) => void): Promise<string> {
  let full = '';
  let next = performance.now();
  for (let i = 0; i < tokens; i++) {
    const text = `${performance.now().toFixed(3)};`;
    full += text;
    emit(text);
    next += 1000 / rate;
    await sleep(Math.max(0, next - performance.now()));
  }
  return full;
}

function stampLatencies(text: string, now: number, into: number[]): void {
  for (const stamp of text.split(';')) if (stamp !== '') into.push(now - Number(stamp));
}

type RunOutcome = Omit<PeerRow, 'system' | 'tokens' | 'commandsPerDelta' | 'clientCommandsPerDelta' | 'connections'> & { connections: Promise<number> };
type RunBody = () => Promise<RunOutcome>;

/** Latency percentiles and completeness of one run; sorts `latencies` in place. */
function outcome(latencies: number[], connections: number, texts: readonly string[], resumed: string, full: string): RunOutcome {
  latencies.sort((a, b) => a - b);
  return {
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    connections: Promise.resolve(connections),
    liveReadersComplete: texts.every((t) => t === full),
    resumerGotEveryByte: resumed === full,
  };
}

async function measureRun(admin: Redis, system: string, tokens: number, inner: readonly string[], body: RunBody): Promise<PeerRow> {
  const before = await commandStats(admin);
  const { connections, ...rest } = await body();
  const diff = statsDiff(before, await commandStats(admin));
  return {
    system,
    tokens,
    ...rest,
    connections: await connections,
    commandsPerDelta: sumCalls(diff) / tokens,
    clientCommandsPerDelta: clientSent(diff, inner) / tokens,
  };
}

export async function runTaskstreamPeer(url: string, admin: Redis, tokens: number, rate: number, coalesce: CoalesceMode): Promise<PeerRow> {
  return measureRun(admin, `taskstream (coalesce=${coalesce})`, tokens, SCRIPT_INNER, async () => {
    const settings = { keyPrefix: `peer:${Date.now().toString(36)}:`, coalesce };
    const writerRepo = createIoredisRepository({ url });
    const readerRepo = createIoredisRepository({ url });
    const publisher = createPublisher({ repository: writerRepo, clock: systemClock, settings });
    const subscriber = createSubscriber({ repository: readerRepo, clock: systemClock, settings });
    const latencies: number[] = [];
    const live = Array.from({ length: LIVE_READERS }, () => subscriber.open('job'));
    const resumerFirst = subscriber.open('job');
    await Promise.all([...live, resumerFirst].map((s) => s.ready));
    const liveText = live.map(async (subscription) => {
      let text = '';
      for await (const { event } of subscription) {
        if (event.type === 'delta' && event.delta.type === 'text') {
          text += event.delta.textDelta;
          stampLatencies(event.delta.textDelta, performance.now(), latencies);
        }
        if (event.type === 'done') break;
      }
      return text;
    });
    const resumer = (async () => {
      let text = '';
      let lastId = '';
      for await (const { id, event } of resumerFirst) {
        lastId = id;
        if (event.type === 'delta' && event.delta.type === 'text') text += event.delta.textDelta;
        if (text.split(';').length > tokens / 2) break; // disconnect half way
      }
      await sleep(300); // tokens keep flowing while it is away
      for await (const { event } of subscriber.open('job', { lastEventId: lastId })) {
        if (event.type === 'delta' && event.delta.type === 'text') text += event.delta.textDelta;
        if (event.type === 'done') break;
      }
      return text;
    })();
    const message = publisher.open('job');
    const connections = clientCountAfter(admin, (tokens / rate) * 500);
    const full = await produce(tokens, rate, (text) => message.delta({ type: 'text', textDelta: text }));
    await message.done();
    const texts = await Promise.all(liveText);
    const resumed = await resumer;
    const connectionCount = await connections;
    await publisher.close();
    await writerRepo.close();
    await readerRepo.close();
    if (process.env['BENCH_DEBUG'] && resumed !== full) {
      let i = 0;
      while (resumed[i] === full[i]) i++;
      console.log('resumer diverges at', i, full.length, resumed.length, JSON.stringify(full.slice(i - 30, i + 30)), JSON.stringify(resumed.slice(i - 30, i + 30)));
    }
    return outcome(latencies, connectionCount, texts, resumed, full);
  });
}

async function readAll(stream: ReadableStream<string>, onChunk: (chunk: string) => boolean | void): Promise<string> {
  const reader = stream.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    if (onChunk(value) === true) {
      await reader.cancel();
      break;
    }
  }
  return text;
}

export async function runResumableStreamPeer(url: string, admin: Redis, tokens: number, rate: number): Promise<PeerRow> {
  return measureRun(admin, 'resumable-stream (ioredis)', tokens, [], async () => {
    const keyPrefix = `rs:${Date.now().toString(36)}`;
    const clients = [new Redis(url), new Redis(url), new Redis(url), new Redis(url)];
    const writerCtx = createResumableStreamContext({ waitUntil: null, keyPrefix, publisher: clients[0]!, subscriber: clients[1]! });
    const readerCtx = createResumableStreamContext({ waitUntil: null, keyPrefix, publisher: clients[2]!, subscriber: clients[3]! });
    const latencies: number[] = [];
    let emit: (text: string) => void = () => undefined;
    let finish: () => void = () => undefined;
    const source = new ReadableStream<string>({
      start(controller) {
        emit = (text) => controller.enqueue(text);
        finish = () => controller.close();
      },
    });
    // The writer's own response stream (the first, local reader); its latency is in-process.
    const own = await writerCtx.createNewResumableStream('job', () => source);
    const ownText = own === null ? Promise.resolve('') : readAll(own, () => undefined);
    const live = await Promise.all(Array.from({ length: LIVE_READERS }, () => readerCtx.resumeExistingStream('job')));
    const liveText = live.map((stream) => (stream ? readAll(stream, (chunk) => void stampLatencies(chunk, performance.now(), latencies)) : Promise.resolve('')));
    const resumer = (async () => {
      const first = await readerCtx.resumeExistingStream('job');
      if (!first) return '';
      let count = 0;
      const head = await readAll(first, (chunk) => (count += chunk.split(';').length - 1) > tokens / 2);
      await sleep(300);
      const rest = await readerCtx.resumeExistingStream('job', head.length);
      return head + (rest ? await readAll(rest, () => undefined) : '');
    })();
    const connections = clientCountAfter(admin, (tokens / rate) * 500);
    const full = await produce(tokens, rate, (text) => emit(text));
    finish();
    const texts = await Promise.all([...liveText, ownText]);
    const resumed = await Promise.race([resumer, sleepUnref(15_000).then(() => '(timed out)')]);
    const connectionCount = await connections;
    for (const c of clients) c.disconnect();
    return outcome(latencies, connectionCount, texts, resumed, full);
  });
}

export async function runPeerComparison(url: string, options: { tokens?: number; rate?: number } = {}): Promise<PeerRow[]> {
  const tokens = options.tokens ?? 1_000;
  const rate = options.rate ?? 100;
  const admin = new Redis(url);
  const rows = [
    await runResumableStreamPeer(url, admin, tokens, rate),
    await runTaskstreamPeer(url, admin, tokens, rate, 'per_token'),
    await runTaskstreamPeer(url, admin, tokens, rate, 'coalesced'),
  ];
  admin.disconnect();
  return rows;
}

await runAsScript(import.meta.url, async (url) =>
  console.table(await runPeerComparison(url, { tokens: Number(process.env['BENCH_TOKENS'] ?? 1000), rate: Number(process.env['BENCH_RATE'] ?? 100) })),
);
