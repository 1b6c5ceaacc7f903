import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';
import { createUpstashRepository } from '../../../src/adapters/upstash/index.js';
import { agentexCodec } from '../../../src/domain/codec/index.js';
import { createPublisher } from '../../../src/domain/publisher/index.js';
import { createSubscriber } from '../../../src/domain/subscriber/index.js';
import type { Logger } from '../../../src/ports/logger.js';
import { startUpstashStack, type UpstashStack } from '../../upstash-server/stack.js';

const DELTAS = 3_000;
const SUBSCRIBERS = 3;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

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
    const publisher = createPublisher({
      repository: writerRepo,
      clock: systemClock,
      logger: quiet,
      settings,
      retry: { maxAttempts: 50, baseDelayMs: 5, maxDelayMs: 100 },
      maxPendingEntries: DELTAS * 2,
    });
    const subscriber = createSubscriber({
      repository: readerRepo,
      clock: systemClock,
      logger: quiet,
      settings,
      tuning: { pollMinMs: 5, pollMaxMs: 100, maxRetries: 1_000, retryBaseMs: 5, retryMaxMs: 100 },
    });
    const taskId = 'chaos';
    const subscriptions = Array.from({ length: SUBSCRIBERS }, () => subscriber.open(taskId));
    await Promise.all(subscriptions.map((s) => s.ready));
    const received = subscriptions.map(async (subscription) => {
      const tokens: string[] = [];
      let dones = 0;
      for await (const item of subscription) {
        const event = item.event;
        if (event.type === 'delta' && event.delta.type === 'text') tokens.push(event.delta.textDelta);
        if (event.type === 'done') {
          dones++;
          break;
        }
      }
      return { tokens, dones };
    });

    stack.server.setFaults({ rate: 0.2, seed });
    const message = publisher.open(taskId);
    for (let i = 0; i < DELTAS; i++) {
      message.delta({ type: 'text', textDelta: `<${i}>` });
      if (i % 50 === 49) {
        await message.flush();
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await message.done({ final: true });
    const results = await Promise.all(received);
    const injected = Object.fromEntries(stack.server.faultsInjected);
    stack.server.setFaults(undefined);

    const expected = Array.from({ length: DELTAS }, (_, i) => `<${i}>`).join('');
    results.forEach(({ tokens, dones }, n) => {
      expect(dones, `subscriber ${n} (seed ${seed})`).toBe(1);
      expect(tokens.length, `subscriber ${n} delta count (seed ${seed})`).toBe(DELTAS);
      expect(tokens.join(''), `subscriber ${n} order (seed ${seed})`).toBe(expected);
    });
    // The stream holds each delta once and one done: appends retried after a lost answer were deduplicated.
    const all = await writerRepo.read(`${settings.keyPrefix}${taskId}`, '0-0', { count: 0 });
    const events = all.map((entry) => agentexCodec.decode(entry));
    expect(events.filter((e) => e.type === 'delta')).toHaveLength(DELTAS);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    // Answers lost after the write ran are what would duplicate without idempotency: they must occur.
    expect(injected['drop-after'] ?? 0, `faults must actually hit (seed ${seed})`).toBeGreaterThan(0);
    expect(injected['status-after'] ?? 0, `faults must actually hit (seed ${seed})`).toBeGreaterThan(0);
    expect(Object.values(injected).reduce((a, b) => a + b, 0), `faults injected (seed ${seed})`).toBeGreaterThan(20);
    console.info(`upstash fault test: seed ${seed}, faults ${JSON.stringify(injected)}`);

    await publisher.close();
    await writerRepo.close();
    await readerRepo.close();
  });
});
