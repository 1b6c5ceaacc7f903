// Mutation testing of the domain (issue 14). Not part of `npm test` or CI: it takes tens of
// minutes on two cores. Run `npm run mutation` (all of src/domain) or narrow it with
// `npm run mutation -- --mutate src/domain/cursor.ts`, and narrow the tests too with
// MUTATION_TESTS (see vitest.mutation.config.ts); `npm run mutation:summary` prints the score per
// file, with and without string-literal mutants (error-message wording). See docs/testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: ['src/domain/**/*.ts', '!src/domain/**/index.ts'],
  checkers: [],
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  // MUTATION_REPORT names the JSON report, so runs over single files can be kept side by side
  // (reports/mutation/files/<name>.json) and summed by `npm run mutation:summary -- <dir>`.
  jsonReporter: { fileName: process.env['MUTATION_REPORT'] ?? 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
};
