import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { REDIS_SERVER_BINARY, freePort } from './redis-server.js';

/** A redis-server without persistence on a fixed loopback port, which a test can kill (-9) and start again on that port. */
export interface RestartableRedis {
  readonly port: number;
  readonly url: string;
  /** SIGKILL: the server dies with everything it held (no RDB, no AOF). Resolves once the process has exited. */
  kill(): Promise<void>;
  /** Starts a fresh, empty server on the same port; resolves once it answers PING. */
  restart(): Promise<void>;
  /** Stops the server (SIGKILL) if it runs. */
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

async function waitUntilUp(port: number, process: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (process.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${process.exitCode}`);
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts a restartable redis-server (`--save "" --appendonly no`) on a free port. */
export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort();
  let current: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const child = spawn(REDIS_SERVER_BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    current = child;
    await waitUntilUp(port, child);
  };
  const kill = async (): Promise<void> => {
    const child = current;
    current = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, kill, restart: start, stop: kill };
}
