/**
 * `taskstream/conformance`: the suite every StreamRepository backend must pass. It imports no test
 * framework: pass yours (`taskstream/conformance/vitest` does that for vitest).
 *
 * ```ts
 * import { describe, it } from 'vitest'; // or jest's, mocha's, node:test's
 * import { describeStreamRepositoryConformance } from 'taskstream/conformance';
 * describeStreamRepositoryConformance({ describe, it, name: 'my backend', factory: async () => ({ repository: await connect() }) });
 * ```
 *
 * The same checks are exported as plain async functions (`checks`, `runCheck`) that reject with a
 * {@link ConformanceFailure} whose message names the broken port rule.
 */
export { describeStreamRepositoryConformance } from './describe.js';
export { checks, conformanceModules } from './checks/index.js';
export { runCheck, type CheckOutcome, type RunCheckOptions } from './run-check.js';
export { ConformanceFailure, RULES } from './failure.js';
export { checkProperty, defaultNumRuns } from './property.js';
export { probeCodec } from './probe-codec.js';
export { wrapRepository } from './wrap-repository.js';
export type { TimeDriver } from './time.js';
export type { CheckContext, ConformanceBackend, ConformanceCheck, ConformanceOptions, ControllableClock, TestContextLike, TestFunctions } from './types.js';
