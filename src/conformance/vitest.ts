/**
 * `taskstream/conformance/vitest`: the conformance suite registered with vitest's `describe` and
 * `it`, for backends tested with vitest. Other frameworks (or none, with `runCheck`) use
 * `taskstream/conformance`, which does not import vitest.
 *
 * ```ts
 * import { describeStreamRepositoryConformance } from 'taskstream/conformance/vitest';
 * describeStreamRepositoryConformance({ name: 'my backend', factory: async () => ({ repository: await connect() }) });
 * ```
 */
import { describe, it } from 'vitest';
import { describeStreamRepositoryConformance as describeWith } from './describe.js';
import type { ConformanceOptions } from './types.js';

/** {@link ConformanceOptions} registered as vitest tests: one `describe` per module, one `it` per check. */
export function describeStreamRepositoryConformance(options: ConformanceOptions): void {
  describeWith({ ...options, describe, it });
}
