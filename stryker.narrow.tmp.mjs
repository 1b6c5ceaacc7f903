import base from './stryker.config.mjs';
export default { ...base, vitest: { configFile: 'vitest.narrow.tmp.config.ts' }, concurrency: 1, reporters: ['json', 'clear-text'] };
