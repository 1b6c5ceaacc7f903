import { afterAll } from 'vitest';
import { describeStreamRepositoryConformance } from '../../../src/conformance/vitest.js';
import { createIoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';

let server: Promise<TestRedis> | undefined;
const redis = (): Promise<TestRedis> => (server ??= startRedis());

afterAll(async () => {
  if (server !== undefined) await (await server).stop();
});

describeStreamRepositoryConformance({
  name: 'ioredis (single redis-server 7)',
  factory: async () => ({ repository: createIoredisRepository({ url: (await redis()).url }) }),
});

describeStreamRepositoryConformance({
  name: 'ioredis (single redis-server 7, one script call per append)',
  factory: async () => ({ repository: createIoredisRepository({ url: (await redis()).url, batchAppends: false }) }),
});
