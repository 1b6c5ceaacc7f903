import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does with the next requests:
 * - `pass`: forwards to the target;
 * - `echo-401` / `echo-500`: answers 401 / 500 with a JSON `error` that repeats the request's
 *   `Authorization` header (a misconfigured gateway echoing the token);
 * - `echo-text`: answers 403 with a plain-text body repeating the header;
 * - `html-500`: answers 500 with an HTML page;
 * - `truncated`: announces a 1000-byte JSON body, sends 10 bytes and closes the socket;
 * - `not-json`: answers 200 with a body that is not JSON;
 * - `stall`: accepts the request and never answers.
 */
export type ProxyMode = 'pass' | 'echo-401' | 'echo-500' | 'echo-text' | 'html-500' | 'truncated' | 'not-json' | 'stall';

/** A running {@link startHostileProxy}. */
export interface HostileProxy {
  readonly url: string;
  mode: ProxyMode;
  /** Requests seen. */
  readonly requests: number;
  close(): Promise<void>;
}

/** An HTTP proxy on 127.0.0.1 in front of `target` that misbehaves as {@link ProxyMode} says. */
export async function startHostileProxy(target: string): Promise<HostileProxy> {
  const to = new URL(target);
  let requests = 0;
  const sockets = new Set<Socket>();
  const state = { mode: 'pass' as ProxyMode };
  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const auth = String(req.headers.authorization ?? '');
    switch (state.mode) {
      case 'echo-401':
      case 'echo-500':
        res.writeHead(state.mode === 'echo-401' ? 401 : 500, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: `rejected credentials "${auth}"` }));
      case 'echo-text':
        res.writeHead(403, { 'content-type': 'text/plain' });
        return void res.end(`forbidden for ${auth}\n`);
      case 'html-500':
        res.writeHead(500, { 'content-type': 'text/html' });
        return void res.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"result":');
        return void setImmediate(() => res.socket?.destroy());
      case 'not-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"result": [unterminated');
      case 'stall':
        return;
      case 'pass': {
        const upstream = request(
          { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        upstream.end(body);
      }
    }
  };
  const server = createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(next: ProxyMode) {
      state.mode = next;
    },
    get requests() {
      return requests;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
