import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// What Stryker runs against each mutant: the domain's unit and property tests and the
// conformance suite on the memory backend (fake clock), no real servers or browsers.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['test/domain/**/*.test.ts', 'test/conformance/memory.test.ts'],
    },
  }),
);
