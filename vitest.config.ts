import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // The package's own entries resolve to the sources, as tsconfig "paths" does for tsc and tsx.
    alias: [
      { find: /^taskstream$/, replacement: src('index.ts') },
      { find: /^taskstream\/conformance$/, replacement: src('conformance/index.ts') },
      { find: /^taskstream\/conformance\/vitest$/, replacement: src('conformance/vitest.ts') },
      { find: /^taskstream\/container$/, replacement: src('container.ts') },
      { find: /^taskstream\/resumable-stream$/, replacement: src('resumable-stream/index.ts') },
      { find: /^taskstream\/adapters\/(ioredis|upstash|http)$/, replacement: src('adapters/$1/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // redis-memory-server runs Debian's redis-server and never downloads one (see the setup file).
    env: { REDISMS_SYSTEM_BINARY: '/usr/bin/redis-server', REDISMS_DISABLE_POSTINSTALL: '1' },
    setupFiles: ['./test/setup/no-redis-download.ts'],
    reporters: ['default', './test/reporters/summary-line.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
