import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskStreamContainer } from '../../container/create.js';
import { sendSse } from '../../adapters/http/node-http.js';
import type { SseOptions } from '../../adapters/http/sse-options.js';
import { startRun, type AgentScript, type SimulatedTask } from './agents.js';
import { renderPage } from './page.js';

/** Options of {@link startServeServer}. */
export interface ServeServerOptions {
  /** The wired services (the server does not close them). */
  readonly services: TaskStreamContainer;
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  readonly host?: string;
  /** The simulated agents. @default { agents: 3, messages: 2, tokensPerSecond: 30 } */
  readonly script?: Partial<AgentScript>;
  /** Options of the SSE endpoint (retry hint, keep-alive, …). @default {} */
  readonly sse?: SseOptions;
}

/** A running demo server. */
export interface ServeServer {
  readonly url: string;
  readonly server: Server;
  /** Every task started so far, by id. */
  readonly tasks: ReadonlyMap<string, SimulatedTask>;
  /** SSE requests served: all, and those that resumed with a `Last-Event-ID`. */
  readonly stats: { sseRequests: number; resumedRequests: number };
  /** Starts a run of simulated agents (what the page's POST /api/run does). */
  startRun(): SimulatedTask[];
  /** Stops the agents, drops every connection and stops listening. */
  close(): Promise<void>;
}

const TASK_EVENTS = /^\/tasks\/([^/]+)\/events$/;

/** Starts the HTTP server behind `taskstream serve`: the page, `POST /api/run`, and `GET /tasks/:id/events`. */
export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const { services } = options;
  const script: AgentScript = { agents: 3, messages: 2, tokensPerSecond: 30, ...options.script };
  const sse: SseOptions = { ...options.sse };
  const stopAgents = new AbortController();
  const tasks = new Map<string, SimulatedTask>();
  const stats = { sseRequests: 0, resumedRequests: 0 };
  const page = renderPage(services.config.backend.kind);

  const run = (): SimulatedTask[] => {
    const started = startRun(services.publisher, services.clock, script, `run-${randomUUID().slice(0, 8)}`, stopAgents.signal);
    for (const task of started) tasks.set(task.taskId, task);
    return started;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = TASK_EVENTS.exec(url.pathname);
    if (req.method === 'GET' && match) {
      stats.sseRequests++;
      if (req.headers['last-event-id']) stats.resumedRequests++;
      let taskId: string;
      try {
        taskId = decodeURIComponent(match[1]!);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'INVALID_ARGUMENT', message: 'malformed task id' } }));
        return;
      }
      await sendSse(services.subscriber, taskId, req, res, sse);
    } else if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
    } else if (req.method === 'POST' && url.pathname === '/api/run') {
      const started = run().map((t) => ({ taskId: t.taskId, agent: t.agent }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tasks: started }));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such route' } }));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/`,
    server,
    tasks,
    stats,
    startRun: run,
    async close() {
      stopAgents.abort();
      await Promise.allSettled([...tasks.values()].map((t) => t.finished));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
