import { RespConnection, type RespReply } from './resp-connection.js';

/** What the pool has done; a test reads it to prove a held request got, and freed, its own connection. */
export interface BlockingPoolStats {
  /** Blocking commands running right now (one dedicated connection each). */
  held: number;
  /** Most blocking commands ever held at once. */
  peakHeld: number;
  /** Dedicated connections opened so far. */
  opened: number;
  /** Held commands ended because the HTTP client went away (their connection was closed). */
  freedByAbort: number;
}

/**
 * Runs blocking commands the way Upstash does: each held request gets a redis connection of its
 * own for as long as it waits (taken from a small idle pool, or opened), so it never holds up the
 * connection every other request shares. When the HTTP client gives up first, the connection is
 * closed, which ends the command server-side at once.
 */
export class BlockingPool {
  readonly stats: BlockingPoolStats = { held: 0, peakHeld: 0, opened: 0, freedByAbort: 0 };
  readonly #idle: RespConnection[] = [];
  readonly #busy = new Set<RespConnection>();
  readonly #redis: { readonly host: string; readonly port: number };
  readonly #maxIdle: number;
  #closed = false;

  constructor(redis: { readonly host: string; readonly port: number }, maxIdle = 4) {
    this.#redis = redis;
    this.#maxIdle = maxIdle;
  }

  /** Runs one blocking command on a dedicated connection; `undefined` when `abandoned` fired (the client left) first. */
  async run(args: readonly string[], abandoned: AbortSignal): Promise<RespReply | undefined> {
    if (abandoned.aborted) return undefined;
    const conn = this.#idle.pop() ?? (await this.#open());
    this.#busy.add(conn);
    this.stats.held++;
    this.stats.peakHeld = Math.max(this.stats.peakHeld, this.stats.held);
    const onAbandon = (): void => {
      this.stats.freedByAbort++;
      conn.close();
    };
    abandoned.addEventListener('abort', onAbandon, { once: true });
    try {
      const [reply] = await conn.send([args]);
      return reply;
    } catch (err) {
      if (abandoned.aborted) return undefined; // closed because the client left: nobody to answer
      throw err; // redis went away: the request gets a 500
    } finally {
      abandoned.removeEventListener('abort', onAbandon);
      this.stats.held--;
      this.#busy.delete(conn);
      if (!abandoned.aborted && conn.open && !this.#closed && this.#idle.length < this.#maxIdle) this.#idle.push(conn);
      else conn.close();
    }
  }

  close(): void {
    this.#closed = true;
    for (const conn of [...this.#idle.splice(0), ...this.#busy]) conn.close();
  }

  async #open(): Promise<RespConnection> {
    this.stats.opened++;
    return RespConnection.open(this.#redis.host, this.#redis.port);
  }
}
