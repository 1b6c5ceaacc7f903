import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // The package's own entries resolve to the sources, as tsconfig "paths" does for tsc and tsx.
    alias: [
      { find: /^taskstream$/, replacement: src('index.ts') },
      { find: /^taskstream\/conformance$/, replacement: src('conformance/index.ts') },
      { find: /^taskstream\/container$/, replacement: src('container.ts') },
      { find: /^taskstream\/resumable-stream$/, replacement: src('resumable-stream/index.ts') },
      { find: /^taskstream\/adapters\/([a-z]+)$/, replacement: src('adapters/$1/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/reporters/summary-line.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
