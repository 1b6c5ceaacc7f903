import { conformanceModules } from './checks/index.js';
import { runCheck } from './run-check.js';
import type { ConformanceOptions, TestFunctions } from './types.js';

/**
 * Registers the StreamRepository conformance suite for one backend with the test framework whose
 * `describe` and `it` are passed in (vitest, jest, mocha, `node:test`): one `describe` per
 * module, one `it` per check. Each check gets a fresh backend from `factory`, works on its own
 * random topics, deletes them through the port, then calls `cleanup`. Checks that the backend's
 * capabilities or clock rule out are reported as skipped where the framework's test context has
 * `skip(reason)` (vitest, `node:test`), and pass otherwise. This module never imports a test
 * framework; `taskstream/conformance/vitest` passes vitest's functions for you.
 *
 * @example
 * import { describe, it } from 'vitest';
 * describeStreamRepositoryConformance({
 *   describe,
 *   it,
 *   name: 'memory',
 *   factory: () => { const clock = new FakeClock(); return { repository: createMemoryRepository({ clock }), clock }; },
 * });
 */
export function describeStreamRepositoryConformance(options: ConformanceOptions & TestFunctions): void {
  const { describe, it } = options;
  const timeout = options.timeoutMs ?? 60_000;
  describe(`StreamRepository conformance: ${options.name}`, () => {
    for (const [module, list] of Object.entries(conformanceModules)) {
      describe(module, () => {
        for (const check of list) {
          const skip = options.skip?.[check.id];
          if (skip !== undefined) {
            it(`${check.title} (${check.id}; skipped: ${skip})`, async (testCtx) => testCtx?.skip?.(skip), timeout);
            continue;
          }
          it(`${check.title} (${check.id}; ${check.rule})`, async (testCtx) => {
            const outcome = await runCheck(check, options);
            if (outcome.status === 'skipped') testCtx?.skip?.(outcome.reason);
          }, timeout);
        }
      });
    }
  });
}
