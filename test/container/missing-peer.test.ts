import { describe, expect, it, vi } from 'vitest';
import { createContainer } from '../../src/container.js';
import { TaskStreamError } from '../../src/domain/errors.js';

// ioredis and @upstash/redis are optional peer dependencies: here they are "not installed", as Node
// reports it (ERR_MODULE_NOT_FOUND), and choosing their backend must say which package to install.
const { notInstalled } = vi.hoisted(() => ({
  notInstalled: (name: string) => () => {
    throw Object.assign(new Error(`Cannot find package '${name}' imported from /app/node_modules/taskstream/dist/adapters/x.js`), { code: 'ERR_MODULE_NOT_FOUND' });
  },
}));
vi.mock('ioredis', () => notInstalled('ioredis')());
vi.mock('@upstash/redis', () => notInstalled('@upstash/redis')());

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (err: unknown) => err);

describe('a backend whose client library is not installed', () => {
  it.each([
    ['redis', 'ioredis', { kind: 'redis', url: 'redis://127.0.0.1:1' }],
    ['upstash', '@upstash/redis', { kind: 'upstash', url: 'https://x.example', token: 't' }],
  ] as const)('%s: INVALID_CONFIG that names %s and how to install it', async (kind, peer, backend) => {
    const err = await failure(createContainer({ backend }));
    expect(TaskStreamError.is(err, 'INVALID_CONFIG')).toBe(true);
    expect((err as Error).message).toBe(`backend "${kind}" needs the package ${peer}, an optional peer dependency of taskstream: npm install ${peer}`);
    expect((err as TaskStreamError).details).toMatchObject({ package: peer });
  });

  it('the memory backend does not need either', async () => {
    const ts = await createContainer({ backend: { kind: 'memory' } });
    await ts.close();
  });
});
