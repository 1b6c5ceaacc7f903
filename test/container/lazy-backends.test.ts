import { describe, expect, it, vi } from 'vitest';
import { createContainer } from '../../src/container.js';

// Importing either client library fails in this file: the memory path must never load them.
vi.mock('ioredis', () => {
  throw new Error('ioredis was loaded');
});
vi.mock('@upstash/redis', () => {
  throw new Error('@upstash/redis was loaded');
});

import { silentLogger as silent } from '../helpers/silent-logger.js';

describe('backend adapters are imported lazily', () => {
  it('a memory container works without ioredis or @upstash/redis', async () => {
    const ts = await createContainer({ backend: { kind: 'memory' } }, { logger: silent });
    const message = ts.publisher.open('task-1');
    message.delta({ type: 'text', textDelta: 'x' });
    await message.done();
    expect(await ts.repository.tailId('task:task-1')).not.toBe('0-0');
    await ts.close();
  });

  it.each([
    ['taskstream', () => import('../../src/index.js')],
    ['taskstream/adapters/memory', () => import('../../src/adapters/memory/index.js')],
    ['taskstream/adapters/clock', () => import('../../src/adapters/clock/index.js')],
    ['taskstream/adapters/http', () => import('../../src/adapters/http/index.js')],
    ['taskstream/conformance', () => import('../../src/conformance/index.js')],
    ['taskstream/resumable-stream', () => import('../../src/resumable-stream/index.js')],
  ])('the entry %s loads without ioredis or @upstash/redis', async (_entry, load) => {
    expect(Object.keys(await load()).length).toBeGreaterThan(0);
  });

  it('the redis and upstash backends do load their client (so the check above can fail)', async () => {
    const loadError = async (promise: Promise<unknown>): Promise<string> => {
      const err = (await promise.then(() => undefined, (e: unknown) => e)) as Error & { cause?: Error };
      return `${err?.message} ${err?.cause?.message ?? ''}`;
    };
    expect(await loadError(createContainer({ backend: { kind: 'redis', url: 'redis://127.0.0.1:1' } }))).toContain('ioredis was loaded');
    expect(await loadError(createContainer({ backend: { kind: 'upstash', url: 'https://x.example', token: 't' } }))).toContain('@upstash/redis was loaded');
  });
});
