import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// What Stryker runs against each mutant: the domain's unit and property tests and the
// conformance suite on the memory backend (fake clock), no real servers or browsers.
// Not mergeConfig: it concatenates `include` with the base's `test/**`, which would bring in
// every test, redis-server, Upstash and browser ones included.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/domain/**/*.test.ts', 'test/conformance/memory.test.ts'],
  },
});
