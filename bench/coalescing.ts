/**
 * What coalescing saves, on fake time (deterministic): stream entries and backend appends per
 * delta for token-rate agents, in the three modes, on the memory backend. `off` (one entry and
 * one append per delta) is the baseline the ratios are taken against.
 * Run: `npx tsx bench/coalescing.ts`.
 */
import { FakeClock } from '../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../src/adapters/memory/index.js';
import { createPublisher } from '../src/defaults.js';
import type { CoalesceMode } from '../src/domain/config.js';
import { wrapRepository } from '../src/conformance/wrap-repository.js';

const MESSAGES = 50;
const DELTAS = 200;

interface Row {
  readonly mode: CoalesceMode;
  readonly intervalMs: number;
  readonly entriesPerDelta: number;
  readonly appendsPerDelta: number;
}

async function run(mode: CoalesceMode, intervalMs: number): Promise<Row> {
  const clock = new FakeClock();
  const memory = createMemoryRepository({ clock });
  let appends = 0;
  let entries = 0;
  const counting = wrapRepository(memory, {
    append(request) {
      appends++;
      entries += request.entries.length;
      return memory.append(request);
    },
  });
  const publisher = createPublisher({ repository: counting, clock, settings: { coalesce: mode } });
  const contexts = Array.from({ length: MESSAGES }, (_, i) => publisher.open(`task-${i}`));
  for (let d = 0; d < DELTAS; d++) {
    for (const ctx of contexts) ctx.delta({ type: 'text', textDelta: 'tok ' });
    await clock.advance(intervalMs);
  }
  await Promise.all(contexts.map((ctx) => ctx.done()));
  // Each message also writes one done entry in one append; leave them out of the per-delta figures.
  const total = MESSAGES * DELTAS;
  return { mode, intervalMs, entriesPerDelta: (entries - MESSAGES) / total, appendsPerDelta: (appends - MESSAGES) / total };
}

const rows: Row[] = [];
for (const intervalMs of [20, 5]) {
  for (const mode of ['off', 'per_token', 'coalesced'] as const) rows.push(await run(mode, intervalMs));
}
console.log(`${MESSAGES} messages x ${DELTAS} text deltas of 4 characters, flushIntervalMs 50, maxBufferedChars 128`);
console.log('| delta every | mode | entries per delta | appends per delta | entries vs off |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) {
  const off = rows.find((r) => r.mode === 'off' && r.intervalMs === row.intervalMs)!;
  console.log(
    `| ${row.intervalMs} ms (${1000 / row.intervalMs} tokens/s) | ${row.mode} | ${row.entriesPerDelta.toFixed(3)} | ${row.appendsPerDelta.toFixed(3)} | ${(row.entriesPerDelta / off.entriesPerDelta).toFixed(3)}x |`,
  );
}
