import fc from 'fast-check';

/**
 * Runs a fast-check property with a reproducible seed: `FC_SEED` pins it, otherwise a random one
 * is drawn; either way a failure message starts with the seed to rerun with.
 */
export async function assertProperty(property: fc.IAsyncProperty<unknown> | fc.IProperty<unknown>, numRuns: number): Promise<void> {
  const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Math.floor(Math.random() * 2 ** 31);
  try {
    await fc.assert(property as fc.IAsyncProperty<unknown>, { numRuns, seed, verbose: 1 });
  } catch (err) {
    throw new Error(`property failed with FC_SEED=${seed}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
