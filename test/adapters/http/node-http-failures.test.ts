import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sendSse } from '../../../src/adapters/http/index.js';
import { createWorld } from './sse-helpers.js';

describe('sendSse never rejects', () => {
  it('a failure before the first byte (here: a bad option) is a logged 500 JSON, and the promise resolves', async () => {
    const world = createWorld();
    const lines: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => void lines.push(message) };
    const settled: Promise<void>[] = [];
    const server = http.createServer((req, res) => {
      settled.push(sendSse(world.subscriber, 'task-1', req, res, { keepAliveMs: -1, logger, clock: world.clock }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/tasks/task-1/events`);
      expect(response.status).toBe(500);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INTERNAL');
      await expect(Promise.all(settled)).resolves.toBeDefined();
      expect(lines).toEqual(['taskstream sse: request failed']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
