import { afterAll } from 'vitest';
import { describeStreamRepositoryConformance } from '../../../src/conformance/vitest.js';
import { createIoredisRepository } from '../../../src/adapters/ioredis/index.js';
import { startCluster, type TestCluster } from '../../helpers/redis-server.js';

let cluster: Promise<TestCluster> | undefined;
const local = (): Promise<TestCluster> => (cluster ??= startCluster());

afterAll(async () => {
  if (cluster !== undefined) await (await cluster).stop();
});

describeStreamRepositoryConformance({
  name: 'ioredis (local 3-master Redis Cluster)',
  factory: async () => ({ repository: createIoredisRepository({ cluster: { nodes: (await local()).nodes } }) }),
});
