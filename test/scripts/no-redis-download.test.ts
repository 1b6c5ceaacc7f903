// redis-memory-server must never download Redis: every test runs with REDISMS_SYSTEM_BINARY set
// (vitest.config.ts) and its download fallback replaced by an error (test/setup/no-redis-download.ts).
import { createRequire } from 'node:module';
import { RedisMemoryServer } from 'redis-memory-server';
import { afterEach, describe, expect, it, vi } from 'vitest';

type DownloadModule = typeof import('redis-memory-server/lib/util/RedisBinaryDownload.js');
const { default: RedisBinaryDownload } = createRequire(import.meta.url)('redis-memory-server/lib/util/RedisBinaryDownload') as DownloadModule;

describe('redis-memory-server in the tests', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('is pointed at the system redis-server', () => {
    expect(process.env['REDISMS_SYSTEM_BINARY']).toBe('/usr/bin/redis-server');
  });

  it('with the system binary missing, fails with what to install and never starts a download', async () => {
    vi.stubEnv('REDISMS_SYSTEM_BINARY', '/nonexistent/redis-server');
    vi.stubEnv('REDISMS_IGNORE_DOWNLOAD_CACHE', '1');
    const download = vi.spyOn(RedisBinaryDownload.prototype, 'getRedisServerPath');
    const started = Date.now();
    const server = await RedisMemoryServer.create();
    const failure = await server.getPort().then(() => undefined, (err: unknown) => err);
    expect(download).not.toHaveBeenCalled();
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /redis-server not found at \/nonexistent\/redis-server.*never download Redis: install it \(as root: apt-get install -y redis-server\)/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
