import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { sendSse, sseResponse } from '../../../src/adapters/http/index.js';
import { createWorld, publishMessage, type World } from './sse-helpers.js';

/** Opens an SSE request with node:http, waits until `until` appears in the body, then destroys the socket. */
function readThenDisconnect(url: string, until: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.includes(until)) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
  });
}

async function settle(world: World, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) {
    await new Promise((r) => setTimeout(r, 5));
    await world.clock.advance(0);
  }
}

describe('Node http delivery', () => {
  it('sendSse: SSE headers incl. Connection keep-alive; a client that disconnects ends the reader and leaves no timer', async () => {
    const world = createWorld();
    await publishMessage(world.publisher, 'task-1', ['a', 'b']);
    const server = http.createServer((req, res) => void sendSse(world.subscriber, 'task-1', req, res, { clock: world.clock }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { status, headers, body } = await readThenDisconnect(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, 'event: done');
      expect(status).toBe(200);
      expect(headers['connection']).toBe('keep-alive');
      expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(headers['cache-control']).toMatch(/no-cache/);
      expect(headers['x-accel-buffering']).toBe('no');
      expect(body).toContain('event: connected');
      await settle(world, () => world.clock.pendingCount === 0);
      expect(world.clock.pendingCount).toBe(0);
      expect((await world.repository.info('task:task-1'))?.length).toBe(4);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('through Hono on @hono/node-server a disconnect ends the reader too', async () => {
    const world = createWorld();
    await publishMessage(world.publisher, 'task-1', ['a']);
    const app = new Hono();
    app.get('/tasks/:id/events', (c) => sseResponse(world.subscriber, c.req.param('id'), c.req.raw, { clock: world.clock }));
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const port = (server.address() as AddressInfo).port;
      await readThenDisconnect(`http://127.0.0.1:${port}/tasks/task-1/events`, 'event: done');
      await settle(world, () => world.clock.pendingCount === 0);
      expect(world.clock.pendingCount).toBe(0);
    } finally {
      (server as http.Server).closeAllConnections?.();
      await new Promise((r) => server.close(r));
    }
  });
});
