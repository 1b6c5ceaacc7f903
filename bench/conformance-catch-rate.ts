/**
 * How often the conformance suite catches a rare defect in one port method: for each low-rate
 * fault of `test/helpers/low-rate-faults.ts` (1 % of entries dropped, duplicated or reordered by
 * `append` or `read`; 1 % of `tailId` answers stale; 1 % of `info` answers stale; 1 % of
 * `deleteTopic` calls ignored), run the whole suite on the memory backend (FakeClock, default
 * property runs) RUNS times with different seeds, stopping a run at its first failing check.
 * Also counts the traffic one healthy suite run sends through each method, which explains the rates.
 *
 * Run: `npx tsx bench/conformance-catch-rate.ts [runs=20] [fault name filter]`.
 */
import { FakeClock } from '../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../src/adapters/memory/index.js';
import { conformanceModules } from '../src/conformance/checks/index.js';
import { runCheck } from '../src/conformance/run-check.js';
import { wrapRepository } from '../src/conformance/wrap-repository.js';
import type { ConformanceBackend, ConformanceCheck } from '../src/conformance/types.js';
import type { StreamRepository } from '../src/ports/stream-repository.js';
import { LOW_RATE_FAULTS, faultName, withLowRateFault } from '../test/helpers/low-rate-faults.js';

const RUNS = Number(process.argv[2] ?? 20);
const FILTER = process.argv[3] ?? '';
const allChecks: ConformanceCheck[] = Object.values(conformanceModules).flat();

function factory(wrap: (inner: StreamRepository) => StreamRepository): () => ConformanceBackend {
  return () => {
    const clock = new FakeClock();
    return { repository: wrap(createMemoryRepository({ clock })), clock };
  };
}

/** Runs every check in order; returns the id of the first that failed, or undefined. */
async function suiteCatches(wrap: (inner: StreamRepository) => StreamRepository): Promise<string | undefined> {
  for (const check of allChecks) {
    try {
      await runCheck(check, { factory: factory(wrap) });
    } catch {
      return check.id;
    }
  }
  return undefined;
}

async function traffic(): Promise<Record<string, { calls: number; entries: number }>> {
  const t: Record<string, { calls: number; entries: number }> = {};
  const count = (method: string, entries: number): void => {
    const row = (t[method] ??= { calls: 0, entries: 0 });
    row.calls++;
    row.entries += entries;
  };
  const caught = await suiteCatches((inner) =>
    wrapRepository(inner, {
      append: async (r) => {
        const result = await inner.append(r);
        count('append', result.ids.length);
        return result;
      },
      read: async (topic, after, o) => {
        const entries = await inner.read(topic, after, o);
        count('read', entries.length);
        return entries;
      },
      tailId: async (topic) => {
        const tail = await inner.tailId(topic);
        count('tailId', tail === '0-0' ? 0 : 1);
        return tail;
      },
      info: async (topic) => {
        const info = await inner.info(topic);
        count('info', info === null || info.entriesAdded === 0 ? 0 : 1);
        return info;
      },
      deleteTopic: async (topic) => {
        const existed = await inner.deleteTopic(topic);
        count('deleteTopic', existed ? 1 : 0);
        return existed;
      },
    }),
  );
  if (caught !== undefined) throw new Error(`the healthy backend failed ${caught}`);
  return t;
}

const started = Date.now();
const t = await traffic();
console.log(`one healthy suite run (memory, FakeClock, ${allChecks.length} checks): calls / entries (or non-empty answers) per method`);
for (const [method, row] of Object.entries(t)) console.log(`  ${method.padEnd(12)} ${String(row.calls).padStart(7)} calls ${String(row.entries).padStart(8)} entries`);
console.log(`\n| fault (rate 1 %) | caught | runs | first catching checks |\n| --- | --- | --- | --- |`);
for (const fault of LOW_RATE_FAULTS) {
  const name = faultName(fault);
  if (!name.includes(FILTER)) continue;
  let caught = 0;
  const by = new Map<string, number>();
  for (let run = 0; run < RUNS; run++) {
    let instance = 0;
    const id = await suiteCatches((inner) => withLowRateFault(inner, fault, (run + 1) * 10_007 + instance++));
    if (id !== undefined) {
      caught++;
      by.set(id, (by.get(id) ?? 0) + 1);
    }
  }
  const firsts = [...by].sort((a, b) => b[1] - a[1]).map(([id, n]) => `${id} (${n})`).join(', ');
  console.log(`| \`${name}\` | ${caught} | ${RUNS} | ${firsts} |`);
}
console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
