import { describe, expect, it } from 'vitest';
import { checks, runCheck } from '../../src/conformance/index.js';
import { brokenBackends, memoryFactory } from '../helpers/broken-backends.js';

/** [broken backend, check that must fail, pattern its message must match (the broken rule)]. */
const cases: readonly [keyof typeof brokenBackends, string, RegExp][] = [
  ['dollarAfterEmptyBlock', 'tail-and-cursor/no-dollar-after-empty-block', /^\[rule 3 \(reads after an id\)\].*moving position like "\$"/],
  ['dollarAfterEmptyBlock', 'subscriber-no-drop/no-drop-no-duplicate-in-order', /^\[no drop, no duplicate, in order\] property failed .*seed -?\d+/s],
  ['neverSetsTtl', 'trimming-and-ttl/ttl-set-and-renewed', /^\[rule 6 \(retention\)\] append with ttlSeconds 30 left ttlMs null/],
  ['neverSetsTtl', 'trimming-and-ttl/sliding-expiry', /^\[rule 6 \(retention\)\] info 10\.5 s after the last append/],
  ['reordersBatch', 'ids-and-append/batch-order', /^\[rule 2 \(order\)\] entry order of one 12-entry batch/],
  ['reordersBatch', 'publisher-ordering/exactly-one-done-last', /^\[exactly one done per message, last\] property failed .*seed/s],
  ['inclusiveRead', 'tail-and-cursor/reconnect-with-last-id', /^\[rule 3 \(reads after an id\)\] read after \S+ returned entry \S+, which is not after it/],
  ['inclusiveRead', 'reads-and-blocking/strictly-after', /^\[rule 3 \(reads after an id\)\]/],
  ['duplicatesBatchTail', 'publisher-ordering/exactly-one-done-last', /^\[exactly one done per message, last\] property failed/],
  ['ignoresIdempotency', 'idempotent-append/retry-skips-appended', /^\[rule 7 \(idempotence\)\] the same batch again/],
  ['ignoresIdempotency', 'idempotent-append/random-retries', /^\[rule 7 \(idempotence\)\] property failed/],
  ['ignoresAbort', 'reads-and-blocking/abort-ends-read', /^\[rule 5 \(blocking\)\] an aborted blocking read did not resolve promptly/],
  ['lostWakeup', 'subscriber-no-drop/no-drop-no-duplicate-in-order', /^\[no drop, no duplicate, in order\] property failed .*seed -?\d+/s],
  ['lostWakeup', 'reads-and-blocking/append-wakes-readers', /^\[rule 5 \(blocking\)\] entries handed to a woken read/],
  ['infoHidesTrimming', 'subscriber-no-drop/overtaken-reader-gets-gap', /^\[rule 6 \(retention\)\] want one gap item for a reader overtaken by trimming, got 0/],
  ['infoHidesTrimming', 'trimming-and-ttl/maxlen-trims-oldest', /^\[info \(stream facts\)\] info after trimming/],
  ['ignoresTerminal', 'one-terminal/nothing-after-terminal', /^\[rule 10 \(one terminal per message\)\] a delta for message 0 after its terminal: expected a rejection with AFTER_TERMINAL/],
  ['ignoresTerminal', 'one-terminal/racing-producers', /^\[rule 10 \(one terminal per message\)\] property failed .*seed -?\d+.*terminals stored for one message/s],
  ['ignoresTerminal', 'publisher-ordering/exactly-one-done-last', /^\[exactly one done per message, last\] property failed .*seed -?\d+/s],
  ['refusesTerminalRetry', 'one-terminal/retry-of-terminal-batch-is-duplicate', /^\[rule 10 \(one terminal per message\)\] a retry of the batch that wrote the terminal was refused/],
];

describe('conformance suite teeth: broken backends fail, naming the broken rule', () => {
  for (const [broken, checkId, pattern] of cases) {
    it(`${broken} fails ${checkId}`, async () => {
      const check = checks[checkId];
      expect(check, `no check ${checkId}`).toBeDefined();
      await expect(runCheck(check!, { factory: memoryFactory(), numRuns: 50 })).resolves.toEqual({ status: 'passed' });
      await expect(runCheck(check!, { factory: memoryFactory(brokenBackends[broken]), numRuns: 50 })).rejects.toThrow(pattern);
    });
  }
});
