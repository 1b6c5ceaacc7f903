import type { Logger } from '../../src/ports/logger.js';

/** Drops every line: for tests that provoke retries on purpose and assert on outcomes, not logs. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
