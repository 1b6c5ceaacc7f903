import { afterAll } from 'vitest';
import { describeStreamRepositoryConformance } from '../../../src/conformance/index.js';
import { createUpstashRepository } from '../../../src/adapters/upstash/index.js';
import { startUpstashStack, type UpstashStack } from '../../upstash-server/stack.js';

let stack: Promise<UpstashStack> | undefined;
const upstash = (): Promise<UpstashStack> => (stack ??= startUpstashStack());

afterAll(async () => {
  if (stack !== undefined) await (await stack).stop();
});

describeStreamRepositoryConformance({
  name: 'upstash REST (local protocol server in front of redis-server 7)',
  factory: async () => {
    const { server } = await upstash();
    return { repository: createUpstashRepository({ url: server.url, token: server.token, pollMinMs: 2, pollMaxMs: 20 }) };
  },
});
