// Item 1 of issue 8: the README's Node snippet, run as its own process, must survive requests
// that Node's parser accepts but a web `Request` cannot carry, and keep serving.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The README's `http.createServer(...)` snippet under "With Node's `http`". */
function readmeNodeSnippet(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf("With Node's `http`"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined || !code.includes('sendSse')) throw new Error('README Node snippet not found');
  return code;
}

function serverScript(): string {
  const src = (path: string): string => JSON.stringify(join(root, 'src', path));
  return `import http from 'node:http';
import { sendSse } from ${src('adapters/http/index.js')};
import { createMemoryRepository } from ${src('adapters/memory/index.js')};
import { systemClock } from ${src('adapters/clock/system-clock.js')};
import { createPublisher, createSubscriber } from ${src('defaults.js')};
const repository = createMemoryRepository();
const subscriber = createSubscriber({ repository, clock: systemClock });
const publisher = createPublisher({ repository, clock: systemClock });
const message = publisher.open('t1');
message.delta({ type: 'text', textDelta: 'hello' });
await message.done();
await publisher.updateTask('t1', 'COMPLETED');
${/^const server =/.test(readmeNodeSnippet()) ? '' : 'const server = '}${readmeNodeSnippet().trim()}
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;
}

/**
 * Sends raw bytes, returns what the server answers until `complete` holds (an SSE response keeps
 * the connection alive after its end) or the server closes the connection.
 */
function raw(port: number, bytes: string, complete: (answer: string) => boolean = () => false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (complete(answer)) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve(answer);
    });
  });
}

const request = (host: string, method = 'GET'): string => `${method} /tasks/t1/events HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

describe("the README's Node http snippet, as its own process", () => {
  let child: ChildProcess;
  let port = 0;
  let dir = '';
  const stderr: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'taskstream-readme-'));
    const script = join(dir, 'server.mts');
    writeFileSync(script, serverScript());
    child = spawn(join(root, 'node_modules/.bin/tsx'), [script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /PORT (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr.join('')}`)));
    });
  }, 60_000);

  afterAll(() => {
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([['a b'], ['[bad'], ['x:99999999']])('answers Host: %s with 400 JSON and keeps serving', async (host) => {
    const answer = await raw(port, request(host), (a) => a.includes('}}'));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"INVALID_ARGUMENT"');
    expect(child.exitCode).toBeNull();
    const next = await raw(port, request('127.0.0.1'), (a) => a.includes('event: end'));
    expect(next).toMatch(/^HTTP\/1\.1 200 /);
    expect(next).toContain('event: end');
  }, 30_000);

  it.each([['GET http://[bad/tasks/t1/events HTTP/1.1'], ['GET //[bad/x HTTP/1.1'], ['GET http://a:99999999/tasks/t1/events HTTP/1.1']])(
    'answers the request line %s with 400 and keeps serving',
    async (line) => {
      const answer = await raw(port, `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, (a) => a.includes('}}'));
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(child.exitCode).toBeNull();
      const next = await raw(port, request('127.0.0.1'), (a) => a.includes('event: end'));
      expect(next).toMatch(/^HTTP\/1\.1 200 /);
    },
    30_000,
  );

  it('answers other methods with 405 and Allow: GET, HEAD, and HEAD with the headers only', async () => {
    const post = await raw(port, request('127.0.0.1', 'POST'), (a) => a.includes('}}'));
    expect(post).toMatch(/^HTTP\/1\.1 405 /);
    expect(post.toLowerCase()).toContain('allow: get, head');
    const head = await raw(port, request('127.0.0.1', 'HEAD'), (a) => a.includes('\r\n\r\n'));
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head.toLowerCase()).toContain('content-type: text/event-stream');
    expect(head).not.toContain('event:');
    expect(child.exitCode).toBeNull();
    expect(stderr.join('')).not.toMatch(/Unhandled|TypeError/);
  }, 30_000);
});
