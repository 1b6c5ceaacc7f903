import { parseArgs } from 'node:util';
import { configFromEnv } from '../container/config.js';
import { createContainer } from '../container/create.js';
import { TaskStreamError } from '../domain/errors.js';
import type { CliIo } from './io.js';
import { startServeServer } from './serve/server.js';

const USAGE = `usage: taskstream serve [--port 3000] [--host 127.0.0.1] [--agents 3] [--messages 2] [--rate 30]

Starts an HTTP server with a page of simulated agents streaming tokens side by side, each read
through the browser's EventSource from GET /tasks/:id/events (SSE, resumable with Last-Event-ID).
The backend comes from the environment (TASKSTREAM_BACKEND=memory|redis|upstash, REDIS_URL, …).

  --port      TCP port (0 picks a free one)            default 3000
  --host      interface to listen on                   default 127.0.0.1
  --agents    simulated agents per run                 default 3
  --messages  messages per agent                       default 2
  --rate      tokens per second per agent              default 30
`;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new TaskStreamError('INVALID_ARGUMENT', `--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * `taskstream serve`: runs until SIGINT or SIGTERM, then closes the server and what the
 * container opened. Resolves with the exit code (2 for bad arguments).
 */
export async function runServe(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        agents: { type: 'string' },
        messages: { type: 'string' },
        rate: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    io.stderr.write(`taskstream serve: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  let port: number, script: { agents: number; messages: number; tokensPerSecond: number };
  try {
    port = integer('port', parsed.port, 3000, 0, 65_535);
    script = {
      agents: integer('agents', parsed.agents, 3, 1, 6),
      messages: integer('messages', parsed.messages, 2, 1, 20),
      tokensPerSecond: integer('rate', parsed.rate, 30, 1, 1000),
    };
  } catch (err) {
    io.stderr.write(`taskstream serve: ${(err as Error).message}\n`);
    return 2;
  }

  const services = await createContainer(configFromEnv(io.env));
  try {
    const server = await startServeServer({ services, port, host: parsed.host ?? '127.0.0.1', script });
    io.stdout.write(`taskstream serve: ${services.config.backend.kind} backend, listening on ${server.url}\n`);
    io.stdout.write(`open ${server.url} in a browser; SSE at ${server.url}tasks/<taskId>/events; Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    io.stdout.write('taskstream serve: stopping\n');
    await server.close();
    return 0;
  } finally {
    await services.close();
  }
}
