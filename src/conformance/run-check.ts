import { randomUUID } from 'node:crypto';
import { ConformanceFailure, RULES } from './failure.js';
import { defaultNumRuns } from './property.js';
import { createTimeDriver } from './time.js';
import type { CheckContext, ConformanceBackend, ConformanceCheck, ConformanceOptions } from './types.js';

/** What {@link runCheck} needs: the factory and the timing options of {@link ConformanceOptions}. */
export type RunCheckOptions = Pick<ConformanceOptions, 'factory' | 'numRuns' | 'timeScale' | 'blockMs' | 'trimSlack'>;

/** The outcome of one check: ran, or skipped with a reason. */
export type CheckOutcome = { readonly status: 'passed' } | { readonly status: 'skipped'; readonly reason: string };

/**
 * Runs one check against a fresh backend from the factory, then deletes the check's topics and
 * releases the backend. Rejects with a {@link ConformanceFailure} naming the broken rule.
 */
export async function runCheck(check: ConformanceCheck, options: RunCheckOptions): Promise<CheckOutcome> {
  const backend: ConformanceBackend = await options.factory();
  const time = createTimeDriver(backend.clock, options.timeScale ?? 1);
  const topics: string[] = [];
  const prefix = `conformance:${randomUUID()}`;
  const ctx: CheckContext = {
    repository: backend.repository,
    capabilities: backend.repository.capabilities,
    time,
    numRuns: options.numRuns ?? defaultNumRuns(time.controllable),
    blockMs: options.blockMs ?? (time.controllable ? 1_000 : 50),
    trimSlack: options.trimSlack ?? 250,
    topic(label = 't') {
      const topic = `${prefix}:${label}:${topics.length}`;
      topics.push(topic);
      return topic;
    },
  };
  let passed = false;
  try {
    const reason = check.skipReason?.(ctx.capabilities, time);
    if (reason !== undefined) return { status: 'skipped', reason };
    try {
      await check.run(ctx);
    } catch (err) {
      if (err instanceof ConformanceFailure) throw err;
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new ConformanceFailure(check.rule, `${check.id}: ${message}`, { cause: err });
    }
    passed = true;
    return { status: 'passed' };
  } finally {
    try {
      const deleted = await Promise.allSettled(topics.map((topic) => backend.repository.deleteTopic(topic)));
      // Every cleanup is also a check of rule 8: a delete that resolved must leave nothing behind.
      if (passed) await ensureDeleted(backend, topics.filter((_, i) => deleted[i]!.status === 'fulfilled'), check.id);
    } finally {
      if (backend.cleanup) await backend.cleanup();
      else await backend.repository.close();
    }
  }
}

async function ensureDeleted(backend: ConformanceBackend, topics: readonly string[], checkId: string): Promise<void> {
  const left = await Promise.all(topics.map(async (topic) => ((await backend.repository.info(topic)) === null ? undefined : topic)));
  const still = left.filter((t) => t !== undefined);
  if (still.length > 0) throw new ConformanceFailure(RULES.deletion, `${checkId}: deleteTopic resolved, yet ${still.length} topic(s) still exist (${still.slice(0, 3).join(', ')})`);
}
