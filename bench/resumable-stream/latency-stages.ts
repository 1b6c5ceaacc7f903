/**
 * Where a chunk's latency goes in taskstream/resumable-stream (per_chunk or coalesced), on the
 * compare.ts workload and one redis-server. Every chunk carries its source's stamp (t0); the
 * repositories are wrapped (wrapRepository) to stamp the append's start (t1) and reply (t2);
 * the entry id gives the millisecond Redis stored it (tR); each reader's repository stamps the
 * read that returned it (t3); the reader's shape function stamps the enqueue (t4); the consumer
 * stamps the receipt (t5). Printed: p50/p90/p99 of each stage, and the mean stage split of the
 * chunks slower than the p99 (what the tail is made of), plus the event-loop delay.
 * Run: npx tsx bench/resumable-stream/latency-stages.ts   (BENCH_BATCHING, BENCH_STREAMS, BENCH_CHUNKS, BENCH_RATE, BENCH_TIMELINE)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../src/adapters/ioredis/index.js';
import { wrapRepository } from '../../src/conformance/wrap-repository.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { consoleLogger } from '../../src/adapters/logger/console-logger.js';
import { openChunkReader } from '../../src/resumable-stream/chunk-reader.js';
import { createResumableStreamContext, type ChunkBatching } from '../../src/resumable-stream/index.js';
import type { StreamEntry } from '../../src/ports/stream-repository.js';
import { fmt, percentile, runAsScript, sleep } from '../ioredis/support.js';
import { stampedSource } from './workload.js';

const STAMP = /"t":([\d.]+)\}/g;
const stampsOf = (text: string): number[] => [...text.matchAll(STAMP)].map((m) => Number(m[1]));
/** performance.now() of a wall-clock millisecond (entry ids carry Redis's wall clock). */
const fromWall = (ms: number): number => ms - performance.timeOrigin;

interface WriterMarks {
  sent: number;
  acked: number;
  stored: number;
}

export async function stages(url: string, batching: ChunkBatching, streams: number, readersPerStream: number, chunks: number, rate: number, print = true): Promise<void> {
  const writerMarks = new Map<number, WriterMarks>();
  // As compare.ts: an ioredis client per instance (BENCH_AUTOPIPELINED=1: the repository's own auto-pipelining connection).
  const clients: Redis[] = [];
  const repositoryFor = (): IoredisRepository => {
    if (process.env['BENCH_AUTOPIPELINED'] === '1') return createIoredisRepository({ url });
    const client = new Redis(url);
    clients.push(client);
    return createIoredisRepository({ client });
  };
  const writerRepo = repositoryFor();
  const writing = wrapRepository(writerRepo, {
    async append(request) {
      const sent = performance.now();
      const result = await writerRepo.append(request);
      const acked = performance.now();
      request.entries.forEach((fields, i) => {
        const stored = fromWall(Number(String(result.ids[i] ?? '0-0').split('-')[0]));
        for (const t0 of stampsOf(fields['d'] ?? '')) writerMarks.set(t0, { sent, acked, stored });
      });
      return result;
    },
  });
  const readerRepo = repositoryFor();
  const writer = createResumableStreamContext({ waitUntil: null, keyPrefix: 'stages', repository: writing, batching });
  let release!: () => void;
  const go = new Promise<void>((resolve) => (release = resolve));
  const workload = { streams, readersPerStream, chunksPerStream: chunks, rate };
  const own = await Promise.all(Array.from({ length: streams }, (_, i) => writer.createNewResumableStream(`s${i}`, () => stampedSource(workload, go))));
  const owned = own.map(async (s) => {
    for await (const _ of s as unknown as AsyncIterable<string>);
  });
  // One row per (reader, chunk stamp): read returned (t3), enqueued (t4), received (t5).
  const rows: { t0: number; t3: number; t4: number; t5: number }[] = [];
  const deps = { repository: readerRepo, clock: systemClock, logger: consoleLogger, leaseMs: 30_000, ttlSeconds: 86_400, pollMs: 100 };
  // One wrapped repository for all readers (so their reads of one stream are shared, as in the context); t3 per entry id.
  const readAt = new Map<string, number>();
  const repo = wrapRepository(readerRepo, {
    async read(topic, afterId, options) {
      const entries: readonly StreamEntry[] = await readerRepo.read(topic, afterId, options);
      const now = performance.now();
      for (const e of entries) if (!readAt.has(`${topic} ${e.id}`)) readAt.set(`${topic} ${e.id}`, now);
      return entries;
    },
  });
  const reading = Array.from({ length: streams * readersPerStream }, async (_, r) => {
    const topic = `stages:rs:{s${Math.floor(r / readersPerStream)}}`;
    const stream = openChunkReader({ ...deps, repository: repo }, { topic, afterId: '0-0', skipCharacters: 0 }, (id, text) => ({ id, text, t4: performance.now() }));
    for await (const piece of stream as unknown as AsyncIterable<{ id: string; text: string; t4: number }>) {
      const t5 = performance.now();
      const t3 = readAt.get(`${topic} ${piece.id}`) ?? Number.NaN;
      for (const t0 of stampsOf(piece.text)) rows.push({ t0, t3, t4: piece.t4, t5 });
    }
  });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const startedAt = performance.now();
  release();
  await Promise.all([...owned, ...reading]);
  loop.disable();
  await sleep(100);
  await writerRepo.close();
  await readerRepo.close();
  for (const client of clients) client.disconnect();

  if (!print) return;
  const split = rows.map((row) => {
    const w = writerMarks.get(row.t0)!;
    return {
      'writer wait (t1-t0)': w.sent - row.t0,
      'append sent->stored (tR-t1)': w.stored - w.sent,
      'append stored->reply (t2-tR)': w.acked - w.stored,
      'stored->read returned (t3-tR)': row.t3 - w.stored,
      'read->enqueue (t4-t3)': row.t4 - row.t3,
      'enqueue->received (t5-t4)': row.t5 - row.t4,
      'total (t5-t0)': row.t5 - row.t0,
    };
  });
  const names = Object.keys(split[0] ?? {}) as (keyof (typeof split)[number])[];
  const totals = split.map((s) => s['total (t5-t0)']).sort((a, b) => a - b);
  const p99 = percentile(totals, 99);
  const tail = split.filter((s) => s['total (t5-t0)'] >= p99);
  console.log(`${batching}: ${streams} streams x ${readersPerStream} readers, ${chunks} chunks at ${rate}/s; ${rows.length} receipts; event-loop delay p50 ${fmt(loop.percentile(50) / 1e6, 1)} ms, p99 ${fmt(loop.percentile(99) / 1e6, 1)} ms, max ${fmt(loop.max / 1e6, 1)} ms`);
  if (process.env['BENCH_TIMELINE']) {
    // p99 of the total per 200 ms of the run: is the tail spread out, or a few stalls?
    const windows = new Map<number, number[]>();
    for (const s of split.map((x, i) => ({ total: x['total (t5-t0)'], at: rows[i]!.t0 - startedAt }))) {
      const w = Math.floor(s.at / 200);
      windows.set(w, [...(windows.get(w) ?? []), s.total]);
    }
    console.log([...windows].sort((a, b) => a[0] - b[0]).map(([w, xs]) => `${w * 200}ms:${fmt(percentile(xs.sort((a, b) => a - b), 99), 0)}`).join(' '));
    const early = split.filter((_, i) => rows[i]!.t0 - startedAt < 800);
    const names0 = Object.keys(split[0] ?? {}) as (keyof (typeof split)[number])[];
    console.log('first 800 ms, p90 per stage:', names0.map((n) => `${n.split(' (')[0]}=${fmt(percentile(early.map((x) => x[n]).sort((a, b) => a - b), 90), 1)}`).join(', '));
  }
  console.table(
    Object.fromEntries(
      names.map((name) => {
        const values = split.map((s) => s[name]).sort((a, b) => a - b);
        const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
        return [name, { p50: fmt(percentile(values, 50), 2), p90: fmt(percentile(values, 90), 2), p99: fmt(percentile(values, 99), 2), 'mean in the slowest 1%': fmt(mean(tail.map((s) => s[name])), 2) }];
      }),
    ),
  );
}

await runAsScript(import.meta.url, async (url) => {
  const batching = (process.env['BENCH_BATCHING'] ?? 'per_chunk') as ChunkBatching;
  const streams = Number(process.env['BENCH_STREAMS'] ?? 100);
  const rate = Number(process.env['BENCH_RATE'] ?? 50);
  // A short unrecorded run first, so the figures are of a warm process (JIT, script loaded), as in compare.ts.
  await stages(url, batching, streams, 3, 30, rate, false);
  await stages(url, batching, streams, 3, Number(process.env['BENCH_CHUNKS'] ?? 100), rate);
});
