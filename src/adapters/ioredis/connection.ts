import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { TaskStreamError } from '../../domain/errors.js';
import { urlSecrets } from '../../domain/redaction.js';

/** Where the repository's Redis comes from. Exactly one of `client`, `cluster`, `url` is used, in that order. */
export interface IoredisConnectionOptions {
  /**
   * An existing ioredis `Redis` or `Cluster`. The repository uses it for commands and never
   * closes it; it still opens (and closes) its own dedicated blocking-read connection(s).
   * @default undefined
   */
  readonly client?: Redis | Cluster;
  /** Startup nodes of a Redis Cluster the repository connects to (and closes). @default undefined */
  readonly cluster?: { readonly nodes: readonly ClusterNode[]; readonly options?: ClusterOptions };
  /** `redis://` or `rediss://` URL. @default env.REDIS_URL, else "redis://127.0.0.1:6379" */
  readonly url?: string;
  /** ioredis options merged over the URL's for connections the repository opens. @default {} */
  readonly redisOptions?: RedisOptions;
  /** Where `REDIS_URL` is read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The command connection plus how to open dedicated blocking connections next to it. */
export interface ResolvedConnection {
  readonly command: Redis | Cluster;
  readonly isCluster: boolean;
  /** True when the repository created `command` and must close it. */
  readonly owned: boolean;
  /** Opens a dedicated connection for blocking reads (named `name`): to the server, or to one cluster node (`host:port`). */
  dedicated(name: string, nodeKey?: string): Redis;
  /** The command-connection client of a cluster node (`host:port`), for `CLIENT UNBLOCK`. */
  nodeClient(nodeKey: string): Redis | undefined;
}

/**
 * Overrides for a blocking connection: wait out reconnects and re-send the in-flight XREAD on the
 * new socket (it reads after explicit cursors, so a replay is exact), no client-side timeout.
 */
const BLOCKING_OVERRIDES: RedisOptions = {
  maxRetriesPerRequest: null,
  autoResendUnfulfilledCommands: true,
  enableOfflineQueue: true,
  commandTimeout: undefined,
  blockingTimeout: undefined,
  lazyConnect: false,
  enableAutoPipelining: false,
  connectionName: 'taskstream-reader',
};

/**
 * Our own command connections give up on a command after a few reconnect attempts (callers
 * retry), and send all commands issued in one tick (appends of many topics, non-blocking reads)
 * in one socket write per node (ioredis auto-pipelining).
 */
const OWNED_DEFAULTS: RedisOptions = { maxRetriesPerRequest: 3, connectionName: 'taskstream', enableAutoPipelining: true };

function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

function nodeKeyOf(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

/** Turns {@link IoredisConnectionOptions} into a command connection and a way to open blocking ones. */
export function resolveConnection(options: IoredisConnectionOptions): ResolvedConnection {
  let command: Redis | Cluster;
  let owned = true;
  if (options.client !== undefined) {
    command = options.client;
    owned = false;
  } else if (options.cluster !== undefined) {
    command = new Cluster([...options.cluster.nodes], {
      enableAutoPipelining: true,
      ...options.cluster.options,
      redisOptions: { ...OWNED_DEFAULTS, ...options.cluster.options?.redisOptions },
    });
  } else {
    const url = options.url ?? (options.env ?? process.env)['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    if (!/^rediss?:\/\//i.test(url)) {
      throw new TaskStreamError('INVALID_CONFIG', 'REDIS_URL must start with redis:// or rediss://', {
        details: { variable: 'REDIS_URL' },
      });
    }
    try {
      command = new Redis(url, { ...OWNED_DEFAULTS, ...options.redisOptions });
    } catch (err) {
      // ioredis's URL TypeError carries the whole URL (password included) as `input`.
      throw new TaskStreamError('INVALID_CONFIG', 'REDIS_URL: not a valid redis URL', { cause: err, details: { variable: 'REDIS_URL' }, secrets: urlSecrets(url) });
    }
  }
  const cluster = isCluster(command) ? command : undefined;
  return {
    command,
    owned,
    isCluster: cluster !== undefined,
    dedicated(name, nodeKey) {
      if (cluster === undefined) return (command as Redis).duplicate({ ...BLOCKING_OVERRIDES, connectionName: name });
      const [host, port] = splitNodeKey(nodeKey ?? '');
      return new Redis({ ...cluster.options.redisOptions, ...BLOCKING_OVERRIDES, connectionName: name, host, port });
    },
    nodeClient(nodeKey) {
      if (cluster === undefined) return command as Redis;
      return cluster.nodes('master').find((node) => nodeKeyOf(node) === nodeKey);
    },
  };
}

function splitNodeKey(nodeKey: string): [string, number] {
  const at = nodeKey.lastIndexOf(':');
  return [nodeKey.slice(0, at), Number(nodeKey.slice(at + 1))];
}

/** Closes a connection gracefully (QUIT), falling back to a hard disconnect. */
export async function closeConnection(client: Redis | Cluster): Promise<void> {
  if (client.status === 'end') return;
  try {
    await Promise.race([client.quit(), new Promise((_, reject) => setTimeout(() => reject(new Error('quit timed out')), 1_000).unref())]);
  } catch {
    client.disconnect();
  }
}
