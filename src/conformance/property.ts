import fc from 'fast-check';
import { ConformanceFailure } from './failure.js';

/**
 * Runs a fast-check property and, when it fails, throws a {@link ConformanceFailure} naming
 * `rule`, the seed and the replay path. `FC_SEED` (and `FC_PATH`) in the environment replay a run.
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  rule: string,
  property: fc.IAsyncPropertyWithHooks<Ts>,
  numRuns: number,
): Promise<void> {
  const seedEnv = process.env['FC_SEED'];
  const pathEnv = process.env['FC_PATH'];
  const parameters: fc.Parameters<Ts> = { numRuns };
  if (seedEnv !== undefined && seedEnv !== '') parameters.seed = Number(seedEnv);
  if (pathEnv !== undefined && pathEnv !== '') parameters.path = pathEnv;
  const details = await fc.check(property, parameters);
  if (!details.failed) return;
  const inner = details.errorInstance;
  const reason = inner instanceof Error ? inner.message : String(inner);
  throw new ConformanceFailure(
    rule,
    `property failed after ${details.numRuns} run(s) (seed ${details.seed}, path "${details.counterexamplePath ?? ''}"; ` +
      `replay with FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath ?? ''}): ${reason}\n` +
      `counterexample: ${fc.stringify(details.counterexample).slice(0, 2_000)}`,
    { cause: inner },
  );
}

/** Default runs per property: `FC_NUM_RUNS`, else 200 when time is simulated or in CI, else 25. */
export function defaultNumRuns(controllable: boolean): number {
  const fromEnv = Number(process.env['FC_NUM_RUNS']);
  if (Number.isSafeInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return controllable || process.env['CI'] ? 200 : 25;
}

/**
 * How long random histories get: longer with simulated time (cheap), shorter in real time, where
 * every idle step really waits.
 */
export function historySize(ctx: { readonly time: { readonly controllable: boolean } }): fc.SizeForArbitrary {
  return ctx.time.controllable ? 'medium' : 'small';
}
