/**
 * The two systems under the same workload. Each "instance" (a server process) has its own Redis
 * connections: one for the writers, one for the readers. resumable-stream is run twice: with a
 * context per request, as the AI SDK guide writes it, and with one context per instance;
 * taskstream gets an ioredis client per instance, as resumable-stream does.
 */
import { Redis } from 'ioredis';
import { createResumableStreamContext as createTheirs } from 'resumable-stream/ioredis';
import { createIoredisRepository, type IoredisRepository } from '../../src/adapters/ioredis/index.js';
import { createResumableStreamContext as createOurs, type ChunkBatching } from '../../src/resumable-stream/index.js';

/** One instance's view: make a context (per request or shared), close what it opened. */
export interface Instance {
  context(): ContextLike;
  close(): Promise<void>;
}

/** The methods both share (resumable-stream's). */
export interface ContextLike {
  createNewResumableStream(id: string, make: () => ReadableStream<string>): Promise<ReadableStream<string> | null>;
  resumeExistingStream(id: string, skip?: number): Promise<ReadableStream<string> | null | undefined>;
}

export interface System {
  readonly name: string;
  instance(url: string): Instance;
}

export function theirs(perRequest: boolean): System {
  return {
    name: perRequest ? 'resumable-stream, context per request (AI SDK guide)' : 'resumable-stream, one context per instance',
    instance(url) {
      const clients: Redis[] = [];
      const keyPrefix = 'bench-theirs';
      const make = (): ContextLike => {
        const publisher = new Redis(url);
        const subscriber = new Redis(url);
        clients.push(publisher, subscriber);
        return createTheirs({ waitUntil: null, keyPrefix, publisher, subscriber });
      };
      let shared: ContextLike | undefined;
      return {
        context: () => (perRequest ? make() : (shared ??= make())),
        close: async () => {
          for (const c of clients) c.disconnect();
        },
      };
    },
  };
}

/**
 * taskstream given what resumable-stream is given (the drop-in: one changed import line), an
 * ioredis client per instance (`publisher`), wrapped once. `autoPipelined` instead lets the
 * repository open its own auto-pipelining connection, as the environment default
 * (`REDIS_URL`) does: fewer socket writes, but an append waits for the end of the event-loop turn.
 */
export function ours(batching: ChunkBatching, extra: { leaseMs?: number; autoPipelined?: boolean } = {}): System {
  const autoPipelined = extra.autoPipelined ?? process.env['BENCH_AUTOPIPELINED'] === '1';
  return {
    name: `taskstream/resumable-stream, ${batching}${autoPipelined ? ' (auto-pipelined repository)' : ''}`,
    instance(url) {
      const client = autoPipelined ? undefined : new Redis(url);
      const repository: IoredisRepository = client ? createIoredisRepository({ client }) : createIoredisRepository({ url });
      // A context per request, as the guide writes it: they share the instance's repository.
      return {
        context: () => createOurs({ waitUntil: null, keyPrefix: 'bench-ours', repository, batching, ...(extra.leaseMs === undefined ? {} : { leaseMs: extra.leaseMs }) }),
        close: async () => {
          await repository.close();
          client?.disconnect();
        },
      };
    },
  };
}
