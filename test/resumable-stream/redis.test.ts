// On a real redis-server: a writer process SIGKILLed half way, read back with the AI SDK's own
// parser on another instance; and N readers of M streams on one multiplexed reader connection.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIoredisRepository, type IoredisRepository } from 'taskstream/adapters/ioredis';
import { closeSharedRepositories, createResumableStreamContext } from 'taskstream/resumable-stream';
import { startRedis, uniquePrefix, type TestRedis } from '../helpers/redis-server.js';
import { mockReply } from '../../examples/ai-sdk/mock-model.js';
import { readAssistantMessage, textOf } from '../../examples/ai-sdk/ui-message.js';
import { manualSource, readAll, until } from './support.js';

const root = new URL('../../', import.meta.url).pathname;
let redis: TestRedis;
const repositories: IoredisRepository[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(repositories.map((r) => r.close()));
  await redis.stop();
});

function instance(): IoredisRepository {
  const repository = createIoredisRepository({ url: redis.url });
  repositories.push(repository);
  return repository;
}

/** Starts the writer process; resolves once its own client got `atLeast` chunks. */
async function startWriter(env: Record<string, string>, atLeast: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', `${root}test/resumable-stream/fixtures/ai-writer.ts`], {
    cwd: root,
    env: { ...process.env, TASKSTREAM_BACKEND: 'redis', REDIS_URL: redis.url, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === `chunk ${atLeast}`) resolve();
    });
  });
  return child;
}

describe('resumable streams on Redis', () => {
  it('a writer process SIGKILLed half way: readers on another instance get the same assistant message, then an end when its lease expires', async () => {
    const streamId = `chat-${uniquePrefix()}`;
    const child = await startWriter({ STREAM_ID: streamId, LEASE_MS: '1500', WORDS: '300', CHUNK_DELAY_MS: '25' }, 5);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const live = createResumableStreamContext({ waitUntil: null, repository: instance() });
    // The first client reads live from this instance; the writer is killed once it got 40 SSE events.
    let seen = 0;
    const counted = (await live.resumeExistingStream(streamId))!.pipeThrough(
      new TransformStream<string, string>({
        transform(chunk, controller) {
          if (++seen === 40) child.kill('SIGKILL');
          controller.enqueue(chunk);
        },
      }),
    );
    const firstClient = readAssistantMessage(counted);
    await exited;
    // A resume request lands on yet another instance after the crash.
    const other = createResumableStreamContext({ waitUntil: null, repository: instance() });
    expect(await other.hasExistingStream(streamId)).toBe(true);
    const resumed = readAssistantMessage((await other.resumeExistingStream(streamId))!);
    const [a, b] = await Promise.all([firstClient, resumed]);
    const text = textOf(a);
    expect(text.length).toBeGreaterThan(0);
    expect(mockReply(300).startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(mockReply(300).length);
    expect(b).toEqual(a);
    expect(await other.hasExistingStream(streamId)).toBe('DONE');
  });

  it('a reader resumes after the writer process exited', async () => {
    const streamId = `chat-${uniquePrefix()}`;
    const child = await startWriter({ STREAM_ID: streamId, WORDS: '10' }, 1);
    await new Promise((resolve) => child.once('exit', resolve));
    const context = createResumableStreamContext({ waitUntil: null, repository: instance(), replayFinished: true });
    expect(await context.hasExistingStream(streamId)).toBe('DONE');
    expect(textOf(await readAssistantMessage((await context.resumeExistingStream(streamId))!))).toBe(mockReply(10));
  });

  it('code written for resumable-stream/ioredis (publisher and subscriber clients) runs with only the import changed', async () => {
    const publisher = new Redis(redis.url);
    const subscriber = new Redis(redis.url);
    try {
      const streamContext = createResumableStreamContext({ waitUntil: null, keyPrefix: uniquePrefix('app'), publisher, subscriber });
      const source = manualSource();
      const stream = await streamContext.resumableStream('s', () => source.stream);
      source.push('hello ');
      const follower = await streamContext.resumableStream('s', () => source.stream, 2);
      source.push('world');
      source.end();
      expect(await readAll(stream!)).toBe('hello world');
      expect(await readAll(follower!)).toBe('llo world');
      await until(async () => (await streamContext.hasExistingStream('s')) === 'DONE');
      expect(await streamContext.resumeExistingStream('s')).toBeNull();
      expect(await streamContext.resumeExistingStream('other')).toBeUndefined();
    } finally {
      await closeSharedRepositories();
      publisher.disconnect();
      subscriber.disconnect();
    }
  });

  it('N readers of M streams in one process share one reader connection', async () => {
    const admin = new Redis(redis.url);
    const connectedClients = async (): Promise<number> => ((await admin.client('LIST')) as string).trim().split('\n').length;
    try {
      const before = await connectedClients();
      const repository = instance();
      const context = createResumableStreamContext({ waitUntil: null, repository, batching: 'per_chunk' });
      const sources = Array.from({ length: 5 }, () => manualSource());
      const ids = sources.map((_, i) => `m${i}-${uniquePrefix()}`);
      const own = await Promise.all(ids.map((id, i) => context.createNewResumableStream(id, () => sources[i]!.stream)));
      const readers = await Promise.all(ids.flatMap((id) => Array.from({ length: 4 }, () => context.resumeExistingStream(id))));
      const texts = readers.map((r) => readAll(r!));
      const ownTexts = own.map((r) => readAll(r!));
      await until(() => repository.readerConnections === 1);
      const opened = (await connectedClients()) - before;
      for (const source of sources) source.push('hello ');
      for (const source of sources) source.push('world');
      for (const source of sources) source.end();
      expect(await Promise.all(texts)).toEqual(Array(20).fill('hello world'));
      expect(await Promise.all(ownTexts)).toEqual(Array(5).fill('hello world'));
      expect(repository.readerConnections).toBe(1);
      expect(opened).toBe(2); // one command connection, one multiplexed reader, for 5 writers and 20 readers
    } finally {
      admin.disconnect();
    }
  });
});
