/**
 * Runs every ioredis benchmark side by side against ONE fresh redis-server and writes
 * docs/benchmarks-ioredis.md. Run: npx tsx bench/ioredis/run-all.ts
 * (BENCH_SECONDS shortens the latency runs; BENCH_OUT changes the output file.)
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { startRedis } from '../../test/helpers/redis-server.js';
import { runAppendThroughput, type ThroughputRow } from './append-throughput.js';
import { runLatency, type LatencyResult } from './latency.js';
import { CURVE_HEADER, curveTable, runLoadCurve, type CurveRow } from './load-curve.js';
import { runMemoryExpiry } from './memory-expiry.js';
import { runPeerComparison, type PeerRow } from './peer-resumable-stream.js';
import { fmt } from './support.js';

const env = process.env;
const seconds = Number(env['BENCH_SECONDS'] ?? 10);
const out = env['BENCH_OUT'] ?? 'docs/benchmarks-ioredis.md';

const server = await startRedis();
try {
  const admin = new Redis(server.url);
  const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? '?';
  admin.disconnect();
  const load = loadavg().map((n) => n.toFixed(1)).join(' ');
  console.log('append throughput...');
  const throughput = await runAppendThroughput(server.url);
  console.log('latency (coalesced)...');
  const latency: LatencyResult[] = [await runLatency(server.url, { seconds, coalesce: 'coalesced' })];
  console.log('latency (per_token)...');
  latency.push(await runLatency(server.url, { seconds, coalesce: 'per_token' }));
  console.log('load curve against the raw baseline...');
  const curve = await runLoadCurve(server.url, { seconds: Number(env['BENCH_CURVE_SECONDS'] ?? 5) });
  const loadAfter = loadavg().map((n) => n.toFixed(1)).join(' ');
  console.log('peer comparison...');
  const peer = await runPeerComparison(server.url);
  console.log('memory...');
  const memory = await runMemoryExpiry(server.url);
  writeFileSync(out, render({ redisVersion, load, loadAfter, throughput, latency, curve, peer, memory }));
  console.log(`wrote ${out}`);
} finally {
  await server.stop();
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function render(r: {
  redisVersion: string;
  load: string;
  loadAfter: string;
  throughput: ThroughputRow[];
  latency: LatencyResult[];
  curve: CurveRow[];
  peer: PeerRow[];
  memory: Awaited<ReturnType<typeof runMemoryExpiry>>;
}): string {
  const raw = r.throughput[0]!;
  const naive = r.throughput[1]!;
  const rs = r.peer[0]!;
  const m = r.memory;
  return `## ioredis backend (real redis-server)

Measured by \`npx tsx bench/ioredis/run-all.ts\` in one run against one fresh redis-server ${r.redisVersion}
on loopback; Node ${process.version}, ${cpus().length} CPUs shared with other jobs (load average at start: ${r.load}),
so absolute numbers are noisy; the ratios within one run are what to read.

### Append throughput (${raw.deltas} token-sized text deltas, ${raw.deltas / 1000} tasks x 1,000)

"Client commands" are what the client sent (the append script counts once); "server commands"
are what Redis executed (\`INFO commandstats\`, which also counts the commands run inside the script).

${table(
  ['writer', 'deltas/s', 'vs raw pipelined XADD', 'vs naive XADD+EXPIRE', 'client commands / delta', 'server commands / delta', 'entries / delta'],
  r.throughput.map((row) => [
    row.name,
    fmt(row.deltasPerSecond, 0),
    `${fmt(row.deltasPerSecond / raw.deltasPerSecond, 2)}x`,
    `${fmt(row.deltasPerSecond / naive.deltasPerSecond, 2)}x`,
    fmt(row.clientCommandsPerDelta, 3),
    fmt(row.serverCommandsPerDelta, 3),
    fmt(row.entriesPerDelta, 3),
  ]),
)}

- \`coalesce=per_token\` keeps one entry per delta (no merging) but sends up to 256 of them per
  append script call: that is the "without coalescing" figure (target: at least 0.70x raw).
- \`coalesce=off\` is one append (one EVALSHA) per delta, the worst case.
- \`coalesce=coalesced\` (the default) merges token-sized deltas into fewer entries.

### End-to-end latency, ${r.latency[0]!.tasks} concurrent tasks at ${r.latency[0]!.ratePerTask} deltas/s each (${r.latency[0]!.seconds} s)

Publisher and one subscriber per task in one process over one repository; latency is from
\`delta()\` to the subscriber's loop body, per delta.

${table(
  ['coalesce', 'deltas offered', 'delivered in window', 'received', 'p50 ms', 'p99 ms', 'max ms', 'CPU µs / delta', 'Redis connections', 'of which blocking readers', 'client commands / delta', 'server commands / delta', 'Done per task'],
  r.latency.map((l) => [
    l.coalesce,
    String(l.offered),
    `${fmt(l.deliveredInWindow * 100, 1)} %`,
    String(l.received),
    fmt(l.p50Ms),
    fmt(l.p99Ms),
    fmt(l.maxMs),
    fmt(l.cpuUsPerDelta, 1),
    String(l.connections),
    String(l.readerConnections),
    fmt(l.clientCommandsPerDelta, 2),
    fmt(l.serverCommandsPerDelta, 2),
    fmt(l.donePerTask, 2),
  ]),
)}

Deltas are offered by one ticker on a fixed schedule and stamped with their scheduled time, so
event-loop lag counts as latency; "delivered in window" is the share a subscriber had by the end
of the send window + 100 ms. CPU is the Node process's \`process.cpuUsage()\` (user + system)
from the first delta until the last was received, per delivered delta.

### Against the raw baseline, at several loads (${r.curve[0]?.taskstream.seconds ?? '?'} s each; load average after: ${r.loadAfter})

Each row runs the raw baseline (\`bench/ioredis/raw-baseline.ts\`: auto-pipelined
\`XADD key * data <json>\`, no script, TTL, idempotency or trimming, read back by one
\`XREAD BLOCK\` loop over every subscribed topic, parsing each entry's JSON) and then taskstream
(publisher + one subscriber per subscribed task), with the same offered load, in the same process
layout. Idle topics are subscribed (a blocking read each) but never written.

${table(CURVE_HEADER, curveTable(r.curve))}

Connections are counted with \`CLIENT LIST\` half way through (target: 2, one command connection
and one multiplexed blocking-read connection, not one per subscriber). The coalesced p50 is
bounded below by the 50 ms flush interval (the first delta of a message is sent at once).

### Memory: ${m.tasks} short tasks with a ${m.ttlSeconds} s TTL

${table(
  ['task streams after publishing', 'used_memory after publishing', 'task streams left', 'idempotency records left', 'keys left (DBSIZE)', 'seconds until none left', 'used_memory at the end'],
  [[String(m.streamsAfterPublish), `${fmt(m.usedMemoryAfterPublishMb)} MB`, String(m.streamsLeft), String(m.producerRecordsLeft), String(m.keysLeft), fmt(m.secondsUntilNoneLeft), `${fmt(m.usedMemoryAtEndMb)} MB`]],
)}

Nothing deletes the streams: the sliding TTL set by the append script (on the stream and on its
idempotency record) is the only cleanup.

### Against the peer: resumable-stream (ioredis entry point), same token workload

${rs.tokens} tokens at 100 tokens/s, one writer, ${3} live readers and one reader that disconnects half way
and resumes (taskstream: \`Last-Event-ID\`; resumable-stream: \`skipCharacters\`). Writer and readers
each have their own context/repository (as two servers would). resumable-stream's latency is
measured on its pub/sub readers (its writer-local reader never touches Redis).

${table(
  ['system', 'p50 ms', 'p99 ms', 'p50 vs peer', 'p99 vs peer', 'connections', 'server commands / delta', 'client commands / delta', 'live readers got everything', 'resumer got every byte'],
  r.peer.map((p) => [
    p.system,
    fmt(p.p50Ms, 2),
    fmt(p.p99Ms, 2),
    `${fmt(p.p50Ms / rs.p50Ms, 2)}x`,
    `${fmt(p.p99Ms / rs.p99Ms, 2)}x`,
    `${p.connections} (${fmt(p.connections / rs.connections, 2)}x)`,
    `${fmt(p.commandsPerDelta, 2)} (${fmt(p.commandsPerDelta / rs.commandsPerDelta, 2)}x)`,
    `${fmt(p.clientCommandsPerDelta, 2)} (${fmt(p.clientCommandsPerDelta / rs.clientCommandsPerDelta, 2)}x)`,
    String(p.liveReadersComplete),
    String(p.resumerGotEveryByte),
  ]),
)}

What the numbers do not show: resumable-stream keeps the stream in the writer's memory and
replays it over pub/sub, so a reader can resume only while the writer process is alive and
reachable, and a pub/sub message lost on a reconnect is not replayed; taskstream's entries live
in the Redis stream (bounded by MAXLEN and the TTL), so any reader in any process resumes from
its last id, and the fault test (\`test/adapters/ioredis/fault-proxy.test.ts\`) cuts connections
at random during 10,000 deltas with 0 lost and 0 duplicated.
`;
}
