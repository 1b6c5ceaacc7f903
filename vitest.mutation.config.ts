import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// What Stryker runs against each mutant: the domain's unit and property tests and the
// conformance suite on the memory backend (fake clock), no real servers or browsers.
// MUTATION_TESTS (comma-separated globs) narrows it for a run on one file, for example
// MUTATION_TESTS='test/domain/subscriber/**/*.test.ts'.
// Not mergeConfig: it concatenates `include` with the base's `test/**`, which would bring in
// every test, redis-server, Upstash and browser ones included.
const narrowed = process.env['MUTATION_TESTS']?.split(',').map((glob) => glob.trim()).filter((glob) => glob !== '');

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: narrowed !== undefined && narrowed.length > 0 ? narrowed : ['test/domain/**/*.test.ts', 'test/conformance/memory.test.ts'],
  },
});
