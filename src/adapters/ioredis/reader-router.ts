import type { Cluster } from 'ioredis';
import type { StreamEntry, TopicCursor, TopicEntries } from '../../ports/stream-repository.js';
import type { StreamId } from '../../domain/stream-id.js';
import { TaskStreamError } from '../../domain/errors.js';
import { groupBy } from '../shared/group-by.js';
import type { ResolvedConnection } from './connection.js';
import { slotOf } from './hash-slot.js';
import { toTaskStreamError } from './errors.js';
import { MultiplexedReader, type MultiplexedReaderOptions } from './multiplexed-reader.js';

type BaseOptions = Omit<MultiplexedReaderOptions, 'connect' | 'unblock' | 'clientIdByName' | 'groupOf'>;

/**
 * Routes blocking reads to multiplexed readers: one for a single Redis; on Redis Cluster one per
 * master node (topics grouped by the node that owns their slot), each with its own dedicated
 * connection. A read spanning several nodes waits on all of them and returns as soon as any has
 * entries (the others are aborted and contribute what they already had).
 */
export class ReaderRouter {
  readonly #connection: ResolvedConnection;
  readonly #base: BaseOptions;
  readonly #readers = new Map<string, MultiplexedReader>();

  constructor(connection: ResolvedConnection, base: BaseOptions) {
    this.#connection = connection;
    this.#base = base;
  }

  /** Dedicated blocking connections opened so far. */
  get connectionCount(): number {
    let n = 0;
    for (const reader of this.#readers.values()) if (reader.connected) n++;
    return n;
  }

  async read(cursors: readonly TopicCursor[], count: number, blockMs: number, signal?: AbortSignal): Promise<TopicEntries[]> {
    if (!this.#connection.isCluster) return this.#reader('').read(cursors, count, blockMs, signal);
    // A slot that moved (resharding, failover) fails the node's read with MOVED: refresh the
    // slot map and route again, a few times, from the same cursors.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#readCluster(cursors, count, blockMs, signal);
      } catch (err) {
        if (!(err instanceof TaskStreamError) || err.details['moved'] !== true || attempt >= 3) throw err;
        const cluster = this.#connection.command as Cluster;
        await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
      }
    }
  }

  /** {@link read} of one topic, resolved with its entries alone. */
  readOne(topic: string, afterId: StreamId, count: number, blockMs: number, signal?: AbortSignal): Promise<readonly StreamEntry[]> {
    if (!this.#connection.isCluster) return this.#reader('').readOne(topic, afterId, count, blockMs, signal);
    return this.read([{ topic, afterId }], count, blockMs, signal).then(
      (results) => results.find((r) => r.topic === topic)?.entries ?? [],
      (err: unknown) => {
        throw toTaskStreamError(err, 'read');
      },
    );
  }

  async #readCluster(cursors: readonly TopicCursor[], count: number, blockMs: number, signal?: AbortSignal): Promise<TopicEntries[]> {
    const byNode = await this.#groupByNode(cursors);
    if (byNode.size === 1) {
      const [node, list] = [...byNode][0]!;
      return this.#reader(node).read(list, count, blockMs, signal);
    }
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const parts = [...byNode].map(([node, list]) =>
        this.#reader(node)
          .read(list, count, blockMs, controller.signal)
          .then(
            (result) => {
              if (result.length > 0) controller.abort();
              return result;
            },
            (err: unknown) => {
              controller.abort();
              throw err;
            },
          ),
      );
      return (await Promise.all(parts)).flat();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    for (const reader of this.#readers.values()) reader.close();
    this.#readers.clear();
  }

  async #groupByNode(cursors: readonly TopicCursor[]): Promise<Map<string, TopicCursor[]>> {
    const cluster = this.#connection.command as Cluster;
    if (cluster.status !== 'ready') await cluster.ping();
    return groupBy(cursors, (cursor) => cluster.slots[slotOf(cursor.topic)]?.[0] ?? '');
  }

  #reader(node: string): MultiplexedReader {
    let reader = this.#readers.get(node);
    if (reader === undefined) {
      const connection = this.#connection;
      reader = new MultiplexedReader({
        ...this.#base,
        connect: (name) => connection.dedicated(name, node === '' ? undefined : node),
        clientIdByName: async (name) => {
          const client = connection.nodeClient(node);
          if (client === undefined) return undefined;
          const list = String(await client.call('CLIENT', 'LIST', 'TYPE', 'normal'));
          const line = list.split('\n').find((l) => l.includes(` name=${name} `));
          const id = line === undefined ? undefined : /(?:^|\s)id=(\d+)/.exec(line)?.[1];
          return id === undefined ? undefined : Number(id);
        },
        unblock: async (clientId) => {
          const client = connection.nodeClient(node);
          if (client === undefined) return 0;
          return Number(await client.call('CLIENT', 'UNBLOCK', clientId));
        },
        groupOf: connection.isCluster ? slotOf : undefined,
      });
      this.#readers.set(node, reader);
    }
    return reader;
  }
}
