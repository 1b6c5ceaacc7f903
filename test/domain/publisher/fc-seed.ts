import fc from 'fast-check';

/**
 * Runs a fast-check property with a printed seed: `FC_SEED=<n>` replays a run, `FC_RUNS=<n>` overrides the run count. The seed is
 * logged up front and repeated in the failure message.
 */
export async function assertWithSeed<Ts>(name: string, property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>, numRuns: number): Promise<void> {
  const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Date.now() % 2 ** 31;
  console.log(`[fast-check] ${name}: seed=${seed} (replay with FC_SEED=${seed})`);
  try {
    const runs = process.env['FC_RUNS'] !== undefined ? Number(process.env['FC_RUNS']) : numRuns;
    await fc.assert(property, { numRuns: runs, seed, verbose: 1 });
  } catch (err) {
    throw new Error(`${name} failed with seed ${seed} (replay with FC_SEED=${seed}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
