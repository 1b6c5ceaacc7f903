import { FakeClock } from '../../../src/adapters/clock/index.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import type { MemoryRepositoryOptions, MemoryStreamRepository } from '../../../src/adapters/memory/index.js';
import type { EntryFields } from '../../../src/ports/stream-repository.js';

export const T0 = 1_700_000_000_000;

export function setup(options: Omit<MemoryRepositoryOptions, 'clock'> = {}): { clock: FakeClock; repo: MemoryStreamRepository } {
  const clock = new FakeClock(T0);
  return { clock, repo: createMemoryRepository({ ...options, clock }) };
}

/** A token-delta entry shaped like the agentex codec's. */
export function delta(seq: number, text = 'hello'): EntryFields {
  return { data: JSON.stringify({ type: 'delta', text }), seq: String(seq) };
}

/** Resolves to the rejection of `promise`, failing if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
