import { afterAll } from 'vitest';
import { describeStreamRepositoryConformance } from '../../../src/conformance/vitest.js';
import { createUpstashRepository } from '../../../src/adapters/upstash/index.js';
import { startUpstashStack, type UpstashStack } from '../../upstash-server/stack.js';

let stack: Promise<UpstashStack> | undefined;
const upstash = (): Promise<UpstashStack> => (stack ??= startUpstashStack());

afterAll(async () => {
  if (stack !== undefined) await (await stack).stop();
});

// Every property run is several HTTP round trips: bounded runs keep each file section near 20-40 s (FC_NUM_RUNS overrides).
const runs = (n: number): { numRuns?: number } => (process.env['FC_NUM_RUNS'] ? {} : { numRuns: n });

// The default: one held XREAD … BLOCK per repository; capabilities.blockingReads is true, so
// the suite runs its blocking checks too.
describeStreamRepositoryConformance({
  name: 'upstash REST, blocking reads (local protocol server in front of redis-server 7)',
  ...runs(100),
  timeoutMs: 180_000,
  factory: async () => {
    const { server } = await upstash();
    const repository = createUpstashRepository({ url: server.url, token: server.token, readMode: 'block' });
    if (!repository.capabilities.blockingReads) throw new Error('block mode must declare blockingReads');
    return { repository };
  },
});

// The fallback for Upstash-compatible servers without blocking commands: the adaptive poller.
describeStreamRepositoryConformance({
  name: 'upstash REST, polling fallback (local protocol server in front of redis-server 7)',
  ...runs(50),
  timeoutMs: 180_000,
  factory: async () => {
    const { server } = await upstash();
    return { repository: createUpstashRepository({ url: server.url, token: server.token, readMode: 'poll', pollMinMs: 2, pollMaxMs: 20 }) };
  },
});
