import { describe, it } from 'vitest';
import { conformanceModules } from './checks/index.js';
import { runCheck } from './run-check.js';
import type { ConformanceOptions } from './types.js';

/**
 * Registers the StreamRepository conformance suite for one backend as vitest tests: one
 * `describe` per module, one `it` per check. Each check gets a fresh backend from `factory`,
 * works on its own random topics, deletes them through the port, then calls `cleanup`.
 * Checks that the backend's capabilities or clock rule out are reported as skipped (they pass).
 *
 * @example
 * describeStreamRepositoryConformance({
 *   name: 'memory',
 *   factory: () => { const clock = new FakeClock(); return { repository: createMemoryRepository({ clock }), clock }; },
 * });
 */
export function describeStreamRepositoryConformance(options: ConformanceOptions): void {
  const timeout = options.timeoutMs ?? 60_000;
  describe(`StreamRepository conformance: ${options.name}`, () => {
    for (const [module, list] of Object.entries(conformanceModules)) {
      describe(module, () => {
        for (const check of list) {
          const skip = options.skip?.[check.id];
          if (skip !== undefined) {
            it.skip(`${check.title} (${check.id}; skipped: ${skip})`, () => undefined);
            continue;
          }
          it(`${check.title} (${check.id}; ${check.rule})`, async (testCtx) => {
            const outcome = await runCheck(check, options);
            if (outcome.status === 'skipped') testCtx.skip(outcome.reason);
          }, timeout);
        }
      });
    }
  });
}
