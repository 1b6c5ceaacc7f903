import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';
export default mergeConfig(base, defineConfig({ test: { include: ['test/domain/cursor.test.ts', 'test/domain/stream-id.test.ts', 'test/domain/subscriber/*.test.ts'] } }));
