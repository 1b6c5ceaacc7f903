import { afterAll } from 'vitest';
import { describeStreamRepositoryConformance } from '../../../src/conformance/vitest.js';
import { createUpstashRepository } from '../../../src/adapters/upstash/index.js';
import { startUpstashStack, type UpstashStack } from '../../upstash-server/stack.js';

let stack: Promise<UpstashStack> | undefined;
const upstash = (): Promise<UpstashStack> => (stack ??= startUpstashStack());

afterAll(async () => {
  if (stack !== undefined) await (await stack).stop();
});

describeStreamRepositoryConformance({
  name: 'upstash REST (local protocol server in front of redis-server 7)',
  // Every property run is several HTTP round trips: 100 runs keep the file near 25 s (FC_NUM_RUNS overrides).
  ...(process.env['FC_NUM_RUNS'] ? {} : { numRuns: 100 }),
  timeoutMs: 180_000,
  factory: async () => {
    const { server } = await upstash();
    return { repository: createUpstashRepository({ url: server.url, token: server.token, pollMinMs: 2, pollMaxMs: 20 }) };
  },
});
