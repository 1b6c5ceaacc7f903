/**
 * Taskstream against the raw baseline (`raw-baseline.ts`) under the same offered load, side by
 * side in one run: share delivered in the window, p50/p99 and Node CPU per delivered delta, at
 * several task counts and with idle subscribed topics. The ratio `cpu vs raw` is the figure to
 * read on a shared machine; latency suffers first when other jobs take the CPU.
 * Run: npx tsx bench/ioredis/load-curve.ts  (BENCH_SECONDS per run, default 5; BENCH_POINTS: labels separated by ';')
 */
import type { CoalesceMode } from '../../src/domain/config.js';
import { runLatency, type LatencyResult } from './latency.js';
import { runRawLoad } from './raw-baseline.js';
import { fmt, percentile, runAsScript } from './support.js';

export interface LoadPoint {
  readonly label: string;
  readonly coalesce: CoalesceMode;
  readonly tasks: number;
  readonly idle: number;
}

export interface CurveRow {
  readonly point: LoadPoint;
  readonly taskstream: LatencyResult;
  readonly raw: { deliveredInWindow: number; p50Ms: number; p99Ms: number; cpuUsPerDelta: number };
}

export const DEFAULT_POINTS: readonly LoadPoint[] = [
  { label: '100 tasks', coalesce: 'per_token', tasks: 100, idle: 0 },
  { label: '1,000 tasks', coalesce: 'per_token', tasks: 1_000, idle: 0 },
  { label: '3,000 tasks', coalesce: 'per_token', tasks: 3_000, idle: 0 },
  { label: '1,000 tasks, coalesced', coalesce: 'coalesced', tasks: 1_000, idle: 0 },
  { label: '100 active of 1,000 subscribed', coalesce: 'per_token', tasks: 100, idle: 900 },
  { label: '100 active of 10,000 subscribed', coalesce: 'per_token', tasks: 100, idle: 9_900 },
];

export async function runLoadCurve(url: string, options: { seconds?: number; rate?: number; points?: readonly LoadPoint[] } = {}): Promise<CurveRow[]> {
  const seconds = options.seconds ?? 5;
  const rate = options.rate ?? 20;
  const rows: CurveRow[] = [];
  for (const point of options.points ?? DEFAULT_POINTS) {
    console.log(`load curve: ${point.label}...`);
    const raw = await runRawLoad(url, { tasks: point.tasks, idle: point.idle, rate, seconds });
    const sorted = raw.latencies.sort((a, b) => a - b);
    const taskstream = await runLatency(url, { tasks: point.tasks, idle: point.idle, rate, seconds, coalesce: point.coalesce });
    rows.push({
      point,
      taskstream,
      raw: {
        deliveredInWindow: raw.receivedInWindow / raw.offered,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        cpuUsPerDelta: raw.cpuMicros / Math.max(1, raw.received),
      },
    });
  }
  return rows;
}

export function curveTable(rows: readonly CurveRow[]): string[][] {
  return rows.map(({ point, taskstream: t, raw }) => [
    point.label,
    point.coalesce,
    String(t.offered),
    `${fmt(t.deliveredInWindow * 100, 1)} % (raw ${fmt(raw.deliveredInWindow * 100, 1)} %)`,
    `${fmt(t.p50Ms)} / ${fmt(t.p99Ms)} (raw ${fmt(raw.p50Ms)} / ${fmt(raw.p99Ms)})`,
    fmt(t.cpuUsPerDelta, 1),
    fmt(raw.cpuUsPerDelta, 1),
    `${fmt(t.cpuUsPerDelta / raw.cpuUsPerDelta, 2)}x`,
    fmt(t.clientCommandsPerDelta, 3),
    fmt(t.serverCommandsPerDelta, 2),
  ]);
}

export const CURVE_HEADER = [
  'load (20 deltas/s per active task)',
  'coalesce',
  'offered deltas',
  'delivered in window',
  'p50 / p99 ms',
  'CPU µs / delta',
  'raw CPU µs / delta',
  'CPU vs raw',
  'client commands / delta',
  'server commands / delta',
];

await runAsScript(import.meta.url, async (url) => {
  const env = process.env;
  const wanted = env['BENCH_POINTS']?.split(';');
  const points = wanted === undefined ? DEFAULT_POINTS : DEFAULT_POINTS.filter((p) => wanted.includes(p.label));
  const rows = await runLoadCurve(url, { seconds: Number(env['BENCH_SECONDS'] ?? 5), points });
  console.log([CURVE_HEADER, ...curveTable(rows)].map((r) => r.join(' | ')).join('\n'));
});
