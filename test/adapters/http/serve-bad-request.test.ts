// Issue 8 item 1: `taskstream serve` answers a malformed Host with 400, not 500, and keeps serving.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../../e2e/serve-fixture.js';

function raw(port: number, bytes: string, complete: (answer: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    const finish = (): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (complete(answer)) finish();
    });
    socket.on('end', finish);
    socket.on('error', reject);
  });
}

describe('taskstream serve: malformed requests', () => {
  let served: Awaited<ReturnType<typeof startServe>>;
  let port = 0;
  beforeAll(async () => {
    served = await startServe({ agents: 1, messages: 1 });
    port = Number(new URL(served.serve.url).port);
  });
  afterAll(async () => {
    await served?.close();
  });

  it.each([['a b'], ['[bad'], ['x:99999999']])('answers Host: %s on the events route with 400 JSON', async (host) => {
    const answer = await raw(port, `GET /tasks/t1/events HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, (a) => a.includes('}}'));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"INVALID_ARGUMENT"');
    const page = await fetch(served.serve.url);
    expect(page.status).toBe(200);
  });
});
