import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstashRepository } from '../../../src/adapters/upstash/index.js';
import { expectEachDeltaOnce, quiet, streamDeltasThroughFaults } from '../../helpers/fault-stream.js';
import { startUpstashStack, type UpstashStack } from '../../upstash-server/stack.js';

const DELTAS = 3_000;
const SUBSCRIBERS = 3;

let stack: UpstashStack;

beforeAll(async () => {
  stack = await startUpstashStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('Upstash backend while the REST server fails at random', () => {
  it(`${DELTAS} deltas reach every subscriber exactly once, in order, with exactly one Done`, { timeout: 90_000 }, async () => {
    const seed = Number(process.env['FAULT_SEED'] ?? Date.now() % 1_000_000);
    const retry = { retries: 6, baseDelayMs: 2, maxDelayMs: 40 };
    const base = { url: stack.server.url, token: stack.server.token, logger: quiet, retry, pollMinMs: 5, pollMaxMs: 100 };
    const writerRepo = createUpstashRepository(base);
    const readerRepo = createUpstashRepository(base);
    const settings = { keyPrefix: `fault${seed}:`, coalesce: 'per_token' as const, ttlSeconds: 600, maxLen: 0 };
    const taskId = 'chaos';
    let injected: Record<string, number> = {};
    const results = await streamDeltasThroughFaults({
      writer: writerRepo,
      reader: readerRepo,
      settings,
      publisherRetry: { maxAttempts: 50, baseDelayMs: 5, maxDelayMs: 100 },
      subscriberTuning: { pollMinMs: 5, pollMaxMs: 100, maxRetries: 1_000, retryBaseMs: 5, retryMaxMs: 100 },
      taskId,
      deltas: DELTAS,
      subscribers: SUBSCRIBERS,
      flushEvery: 50,
      pauseMs: 5,
      startFaults: () => {
        stack.server.setFaults({ rate: 0.2, seed });
        return () => {
          injected = Object.fromEntries(stack.server.faultsInjected);
          stack.server.setFaults(undefined);
        };
      },
    });

    // Appends retried after a lost answer must have been deduplicated.
    await expectEachDeltaOnce(results, { deltas: DELTAS, seed, repository: writerRepo, topic: `${settings.keyPrefix}${taskId}` });
    // Answers lost after the write ran are what would duplicate without idempotency: they must occur.
    expect(injected['drop-after'] ?? 0, `faults must actually hit (seed ${seed})`).toBeGreaterThan(0);
    expect(injected['status-after'] ?? 0, `faults must actually hit (seed ${seed})`).toBeGreaterThan(0);
    expect(Object.values(injected).reduce((a, b) => a + b, 0), `faults injected (seed ${seed})`).toBeGreaterThan(20);
    console.info(`upstash fault test: seed ${seed}, faults ${JSON.stringify(injected)}`);

    await writerRepo.close();
    await readerRepo.close();
  });

  it('held reads that hang, drop or fail are sent again from the same cursors: every delta once, in order', { timeout: 90_000 }, async () => {
    const seed = Number(process.env['FAULT_SEED'] ?? Date.now() % 1_000_000);
    const base = { url: stack.server.url, token: stack.server.token, logger: quiet, retry: { retries: 6, baseDelayMs: 2, maxDelayMs: 40 } };
    const writerRepo = createUpstashRepository(base);
    // Short blocks and timeouts so that hung requests time out many times within the test.
    const readerRepo = createUpstashRepository({ ...base, readMode: 'block', blockMs: 150, heldRequestTimeoutMs: 250 });
    const settings = { keyPrefix: `heldfault${seed}:`, coalesce: 'per_token' as const, ttlSeconds: 600, maxLen: 0 };
    let injected: Record<string, number> = {};
    const results = await streamDeltasThroughFaults({
      writer: writerRepo,
      reader: readerRepo,
      settings,
      publisherRetry: { maxAttempts: 50, baseDelayMs: 5, maxDelayMs: 100 },
      subscriberTuning: { blockMs: 5_000, count: 7, pollMinMs: 5, pollMaxMs: 100, maxRetries: 1_000, retryBaseMs: 5, retryMaxMs: 100 },
      taskId: 'held-chaos',
      deltas: 600,
      subscribers: SUBSCRIBERS,
      flushEvery: 10,
      pauseMs: 10,
      startFaults: () => {
        const held = (commands: readonly (readonly string[])[]): boolean => commands.some((c) => c[0] === 'XREAD' && c.includes('BLOCK'));
        stack.server.setFaults({ rate: 0.3, seed, kinds: ['hang-after', 'drop-after', 'status-after', 'drop-before'], only: held });
        return () => {
          injected = Object.fromEntries(stack.server.faultsInjected);
          stack.server.setFaults(undefined);
        };
      },
    });
    await expectEachDeltaOnce(results, { deltas: 600, seed, repository: writerRepo, topic: `${settings.keyPrefix}held-chaos` });
    expect(injected['hang-after'] ?? 0, `hung held reads (seed ${seed})`).toBeGreaterThan(0);
    expect(Object.values(injected).reduce((a, b) => a + b, 0), `faults on held reads (seed ${seed})`).toBeGreaterThan(10);
    expect(readerRepo.heldStats.timeouts, `held reads that timed out (seed ${seed})`).toBeGreaterThan(0);
    console.info(`upstash held-read fault test: seed ${seed}, faults ${JSON.stringify(injected)}, held ${JSON.stringify(readerRepo.heldStats)}`);
    await writerRepo.close();
    await readerRepo.close();
  });
});
