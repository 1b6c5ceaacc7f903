import { randomBytes } from 'node:crypto';
import { RedisMemoryServer } from 'redis-memory-server';
import type { FaultOptions } from './faults.js';
import { startUpstashServer, type UpstashServer } from './server.js';

/** A real redis-server with the local Upstash-protocol server in front of it. */
export interface UpstashStack {
  readonly server: UpstashServer;
  readonly redis: { readonly host: string; readonly port: number };
  stop(): Promise<void>;
}

/**
 * Starts redis-server (Debian's binary through redis-memory-server, never a download) and the
 * REST server with a fresh random token.
 */
export async function startUpstashStack(options: { token?: string; faults?: FaultOptions } = {}): Promise<UpstashStack> {
  const redisServer = await RedisMemoryServer.create({
    binary: { systemBinary: '/usr/bin/redis-server' },
    instance: { ip: '127.0.0.1', args: ['--save', '', '--appendonly', 'no'] },
  });
  const redis = { host: await redisServer.getHost(), port: await redisServer.getPort() };
  const token = options.token ?? `tok_${randomBytes(12).toString('hex')}`;
  const server = await startUpstashServer({ redis, token, ...(options.faults ? { faults: options.faults } : {}) });
  return {
    server,
    redis,
    stop: async () => {
      await server.close();
      await redisServer.stop();
    },
  };
}
