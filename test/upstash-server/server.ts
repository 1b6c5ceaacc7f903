import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlockingPool, type BlockingPoolStats } from './blocking-pool.js';
import { blockingRefusal, commandArgs, isBlockingCommand, renderEntry, renderReply } from './encoding.js';
import { FaultPlan, type FaultKind, type FaultOptions } from './faults.js';
import { RespConnection, type RespReply } from './resp-connection.js';

/** Options of {@link startUpstashServer}. */
export interface UpstashServerOptions {
  /** The redis-server the REST server fronts. */
  readonly redis: { readonly host: string; readonly port: number };
  /** The bearer token every request must carry. */
  readonly token: string;
  /** Random faults from the start (see {@link UpstashServer.setFaults}). */
  readonly faults?: FaultOptions;
  /**
   * `serve`: a single blocking command (`XREAD … BLOCK`, `BLPOP`, …) is held on a redis
   * connection of its own until it returns, as Upstash does; a client that aborts frees it.
   * `refuse`: answer it with HTTP 400, as an Upstash-compatible server without blocking support
   * would. Blocking commands inside `/pipeline` or `/multi-exec` are always refused.
   * @default 'serve'
   */
  readonly blocking?: 'serve' | 'refuse';
}

/** What the server has seen; a test reads it to count requests. */
export interface UpstashServerStats {
  /** HTTP requests received (any path, any outcome). */
  requests: number;
  /** Redis commands run or refused. */
  commands: number;
  /** Requests per path (`/`, `/pipeline`, `/multi-exec`). */
  readonly byPath: Map<string, number>;
  /** Commands per upper-cased name. */
  readonly byCommand: Map<string, number>;
  /** Requests answered 401. */
  unauthorized: number;
}

/** A running local Upstash-protocol server. */
export interface UpstashServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly token: string;
  readonly stats: UpstashServerStats;
  /** Starts (or with `undefined` stops) random fault injection. */
  setFaults(options: FaultOptions | undefined): void;
  /** Faults injected since the last `setFaults`. */
  readonly faultsInjected: ReadonlyMap<FaultKind, number>;
  /** Held blocking commands and their dedicated connections. */
  readonly blocking: Readonly<BlockingPoolStats>;
  /** Switches between serving and refusing blocking commands (see {@link UpstashServerOptions.blocking}). */
  setBlocking(mode: 'serve' | 'refuse'): void;
  /** Zeroes the counters. */
  resetStats(): void;
  close(): Promise<void>;
}

/** The commands a request body carries (none when it does not parse), for fault targeting. */
function requestCommands(path: string, raw: unknown): string[][] {
  if (path === '/') {
    const args = commandArgs(raw);
    return args === undefined ? [] : [args];
  }
  if (!Array.isArray(raw)) return [];
  return raw.map((item) => commandArgs(item) ?? []);
}

class HttpReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function freshStats(): UpstashServerStats {
  return { requests: 0, commands: 0, byPath: new Map(), byCommand: new Map(), unauthorized: 0 };
}

/**
 * Starts an HTTP server on 127.0.0.1 (random port) that speaks the Upstash REST protocol as
 * `@upstash/redis` uses it, in front of a real redis-server: `POST /` with a JSON command,
 * `POST /pipeline` and `POST /multi-exec` with arrays of commands, `Authorization: Bearer`,
 * RESP2 shapes, and `Upstash-Encoding: base64`. A single blocking command (`XREAD … BLOCK`) is
 * held on a redis connection of its own until it returns or the client aborts (see
 * {@link BlockingPool}), unless `blocking: 'refuse'`.
 */
export async function startUpstashServer(options: UpstashServerOptions): Promise<UpstashServer> {
  const conn = await RespConnection.open(options.redis.host, options.redis.port);
  const pool = new BlockingPool(options.redis);
  let blockingMode = options.blocking ?? 'serve';
  let stats = freshStats();
  let faults = options.faults === undefined ? undefined : new FaultPlan(options.faults);

  const run = async (path: string, raw: unknown, abandoned: AbortSignal): Promise<HttpReply | undefined> => {
    if (path === '/') {
      const args = commandArgs(raw);
      if (args === undefined) return new HttpReply(400, { error: 'ERR failed to parse command' });
      countCommand(args);
      let reply: RespReply | undefined;
      if (isBlockingCommand(args)) {
        if (blockingMode === 'refuse') return new HttpReply(400, { error: blockingRefusal(args) });
        reply = await pool.run(args, abandoned);
        if (reply === undefined) return undefined; // the client left: nobody to answer
      } else {
        [reply] = await conn.send([args]);
      }
      return reply!.kind === 'error' ? new HttpReply(400, { error: reply!.message }) : new HttpReply(200, { result: reply });
    }
    if (path !== '/pipeline' && path !== '/multi-exec') return new HttpReply(404, { error: 'Not Found' });
    if (!Array.isArray(raw) || raw.length === 0) return new HttpReply(400, { error: 'ERR failed to parse pipeline request' });
    const commands: string[][] = [];
    for (const item of raw) {
      const args = commandArgs(item);
      if (args === undefined) return new HttpReply(400, { error: 'ERR failed to parse pipeline request' });
      countCommand(args);
      if (isBlockingCommand(args)) return new HttpReply(400, { error: blockingRefusal(args) });
      commands.push(args);
    }
    if (path === '/pipeline') return new HttpReply(200, { entries: await conn.send(commands) });
    const replies = await conn.send([['MULTI'], ...commands, ['EXEC']]);
    const exec = replies[replies.length - 1]!;
    if (exec.kind === 'error') {
      const queued = replies.slice(1, -1).find((r) => r.kind === 'error');
      const reason = queued?.kind === 'error' ? `${exec.message} (${queued.message})` : exec.message;
      return new HttpReply(400, { error: reason });
    }
    return new HttpReply(200, { entries: exec.kind === 'array' ? (exec.items ?? []) : [] });
  };

  const countCommand = (args: readonly string[]): void => {
    stats.commands++;
    const name = (args[0] ?? '').toUpperCase();
    stats.byCommand.set(name, (stats.byCommand.get(name) ?? 0) + 1);
  };

  const send = (res: ServerResponse, reply: HttpReply, base64: boolean): void => {
    let body = reply.body;
    if (reply.status === 200) {
      const payload = reply.body as { result?: RespReply; entries?: RespReply[] };
      body = payload.entries !== undefined ? payload.entries.map((r) => renderEntry(r, base64)) : { result: renderReply(payload.result!, base64) };
    }
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests++;
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    stats.byPath.set(path, (stats.byPath.get(path) ?? 0) + 1);
    const text = await readBody(req);
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      stats.unauthorized++;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Unauthorized' }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Method Not Allowed' }));
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    const fault = faults?.applies(requestCommands(path, raw)) ? faults.next() : undefined;
    if (fault === 'drop-before') return void req.socket.destroy();
    if (fault === 'status-before') return send(res, new HttpReply(503, { error: 'Service Unavailable' }), false);
    if (raw === undefined) return send(res, new HttpReply(400, { error: 'ERR failed to parse command' }), false);
    const abandoned = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) abandoned.abort();
    });
    const reply = await run(path, raw, abandoned.signal);
    if (reply === undefined || abandoned.signal.aborted) return;
    if (fault === 'drop-after') return void req.socket.destroy();
    if (fault === 'status-after') return send(res, new HttpReply(502, { error: 'Bad Gateway' }), false);
    if (fault === 'hang-after') return; // never answered: the socket stays open until the client gives up
    send(res, reply, String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `ERR internal: ${err instanceof Error ? err.message : String(err)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    get stats() {
      return stats;
    },
    setFaults(next) {
      faults = next === undefined ? undefined : new FaultPlan(next);
    },
    get faultsInjected() {
      return faults?.injected ?? new Map();
    },
    get blocking() {
      return pool.stats;
    },
    setBlocking(mode) {
      blockingMode = mode;
    },
    resetStats() {
      stats = freshStats();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pool.close();
      conn.close();
    },
  };
}
