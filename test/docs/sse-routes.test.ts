// The code of docs/snippets/sse-routes.md, type-checked and run. Keep the two in sync.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { sendSse, sseResponse } from '../../src/adapters/http/index.js';
import { createMemoryRepository } from '../../src/adapters/memory/index.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { agentexCodec } from '../../src/domain/codec/index.js';
import { createPublisher } from '../../src/defaults.js';
import { createSubscriber } from '../../src/defaults.js';

const repository = createMemoryRepository();
const subscriber = createSubscriber({ repository, codec: agentexCodec, clock: systemClock });
const publisher = createPublisher({ repository, codec: agentexCodec, clock: systemClock });

async function finishedTask(taskId: string): Promise<void> {
  const message = publisher.open(taskId);
  message.delta({ type: 'text', textDelta: 'hello' });
  await message.done();
  await publisher.updateTask(taskId, 'COMPLETED');
}

const eventsOf = (text: string): string[] => [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]!);

describe('README SSE routes', () => {
  it('Hono', async () => {
    const app = new Hono();
    // --- snippet ---
    app.get('/tasks/:id/events', (c) => sseResponse(subscriber, c.req.param('id'), c.req.raw));
    // --- end ---
    await finishedTask('hono-1');
    const response = await app.request('/tasks/hono-1/events');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(eventsOf(await response.text())).toEqual(['connected', 'delta', 'done', 'task_updated', 'end']);
    expect((await app.request('/tasks/a*b/events')).status).toBe(400);
  });

  it("Node's http", async () => {
    // --- snippet ---
    const server = http.createServer((req, res) => {
      void sendSse(subscriber, req.url?.split(/[/?]/)[2] ?? '', req, res); // '/tasks/:id/events'
    });
    // --- end ---
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await finishedTask('node-1');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const response = await fetch(`${base}/tasks/node-1/events`);
      expect(response.headers.get('connection')).toBe('keep-alive');
      expect(response.headers.get('x-accel-buffering')).toBe('no');
      expect(eventsOf(await response.text())).toEqual(['connected', 'delta', 'done', 'task_updated', 'end']);
      const bad = await fetch(`${base}/tasks/node-1/events`, { headers: { 'last-event-id': 'nope' } });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_RESUME_POINT');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('docs/snippets/sse-routes.md', () => {
  it('shows exactly the route code run above', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/snippets/sse-routes.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const snippets = [...source.matchAll(/\/\/ --- snippet ---\n([\s\S]*?)\n\s*\/\/ --- end ---/g)].map((m) => m[1]!);
    expect(snippets).toHaveLength(2);
    const dedent = (code: string): string => {
      const indent = Math.min(...code.split('\n').map((l) => /^ */.exec(l)![0].length));
      return code.split('\n').map((l) => l.slice(indent)).join('\n').replace(/^const server = /, '');
    };
    for (const snippet of snippets) expect(doc).toContain(dedent(snippet));
  });
});
