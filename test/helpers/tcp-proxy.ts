import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP proxy that can cut the connections passing through it. */
export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections cut so far. */
  readonly dropped: number;
  /** Live connections. */
  readonly live: number;
  /** Cuts every live connection (both sides, abruptly). */
  dropAll(): void;
  /** Cuts one live connection chosen by `random`. */
  dropOne(random?: () => number): void;
  /**
   * Cuts a random live connection at random intervals between `minMs` and `maxMs` until
   * stopped. `random` should be seeded so a failing run can be replayed.
   */
  startChaos(options: { minMs: number; maxMs: number; random: () => number }): () => void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let accepted = 0;
  let dropped = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = createConnection({ host: target.host, port: target.port });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const teardown = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const cut = (pair: [Socket, Socket]): void => {
    dropped++;
    pairs.delete(pair);
    pair[0].resetAndDestroy?.() ?? pair[0].destroy();
    pair[1].destroy();
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get dropped() {
      return dropped;
    },
    get live() {
      return pairs.size;
    },
    dropAll() {
      for (const pair of [...pairs]) cut(pair);
    },
    dropOne(random = Math.random) {
      const list = [...pairs];
      if (list.length > 0) cut(list[Math.floor(random() * list.length)]!);
    },
    startChaos({ minMs, maxMs, random }) {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const schedule = (): void => {
        if (stopped) return;
        timer = setTimeout(() => {
          const list = [...pairs];
          if (list.length > 0) cut(list[Math.floor(random() * list.length)]!);
          schedule();
        }, minMs + Math.floor(random() * (maxMs - minMs)));
      };
      schedule();
      return () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
      };
    },
    async close() {
      for (const pair of [...pairs]) {
        pair[0].destroy();
        pair[1].destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
