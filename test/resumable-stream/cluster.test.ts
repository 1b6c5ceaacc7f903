// On a local 3-master Redis Cluster: a stream's data and control keys share one slot (hash tag),
// streams spread over every master are written, resumed on another instance, stopped from it.
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIoredisRepository, type IoredisRepository } from 'taskstream/adapters/ioredis';
import { createResumableStreamContext } from 'taskstream/resumable-stream';
import { slotOf } from '../../src/adapters/ioredis/hash-slot.js';
import { topicsOf } from '../../src/resumable-stream/settings.js';
import { startCluster, uniquePrefix, type TestCluster } from '../helpers/redis-server.js';
import { manualSource, readAll, until } from './support.js';

let cluster: TestCluster;
let writerClient: Cluster;
let readerRepo: IoredisRepository;

beforeAll(async () => {
  cluster = await startCluster();
  // The writer instance passes an ioredis Cluster client (the drop-in path); the reader instance its own repository.
  writerClient = new Cluster([...cluster.nodes]);
  await writerClient.ping(); // the slot map is loaded
  readerRepo = createIoredisRepository({ cluster: { nodes: cluster.nodes } });
}, 30_000);

afterAll(async () => {
  await readerRepo?.close();
  writerClient?.disconnect();
  await cluster?.stop();
});

describe('resumable streams on Redis Cluster', () => {
  it('streams on every master: written in chunks, resumed mid-stream on another instance, exact; one reader connection per master', async () => {
    const prefix = uniquePrefix('rs');
    const writer = createResumableStreamContext({ waitUntil: null, keyPrefix: prefix, repository: writerClient, batching: 'per_chunk' });
    const reader = createResumableStreamContext({ waitUntil: null, keyPrefix: prefix, repository: readerRepo });
    const ids = Array.from({ length: 9 }, (_, i) => `chat-${i}`);
    const topics = ids.map((id) => topicsOf(writer.keyPrefix, id));
    expect(new Set(topics.map((t) => writerClient.slots[slotOf(t.data)]?.[0])).size).toBe(3);
    for (const t of topics) expect(slotOf(t.control)).toBe(slotOf(t.data));

    const sources = ids.map(() => manualSource());
    const own = await Promise.all(ids.map((id, i) => writer.createNewResumableStream(id, () => sources[i]!.stream)));
    sources.forEach((s, i) => s.push(`${ids[i]}: one `));
    const live = await Promise.all(ids.map((id) => reader.resumeExistingStream(id)));
    const texts = live.map((s) => readAll(s!));
    sources.forEach((s) => s.push('two '));
    sources.forEach((s) => s.push('three'));
    sources.forEach((s) => s.end());
    const expected = ids.map((id) => `${id}: one two three`);
    expect(await Promise.all(own.map((s) => readAll(s!)))).toEqual(expected);
    expect(await Promise.all(texts)).toEqual(expected);
    expect(readerRepo.readerConnections).toBeLessThanOrEqual(3);
    await until(async () => (await reader.hasExistingStream(ids[0]!)) === 'DONE');
    expect(await reader.resumeExistingStream(ids[0]!)).toBeNull();
  });

  it('stopStream from the reader instance stops a writer on any master, and its readers end', async () => {
    const prefix = uniquePrefix('rs');
    const writer = createResumableStreamContext({ waitUntil: null, keyPrefix: prefix, repository: writerClient });
    const reader = createResumableStreamContext({ waitUntil: null, keyPrefix: prefix, repository: readerRepo });
    const ids = ['stop-a', 'stop-b', 'stop-c', 'stop-d'];
    const signals: AbortSignal[] = [];
    const sources = ids.map(() => manualSource());
    await Promise.all(
      ids.map((id, i) =>
        writer.createNewResumableStream(id, ({ signal }) => {
          signals.push(signal);
          return sources[i]!.stream;
        }),
      ),
    );
    sources.forEach((s) => s.push('before stop'));
    const live = await Promise.all(ids.map((id) => reader.resumeExistingStream(id)));
    const texts = live.map((s) => readAll(s!));
    for (const id of ids) expect(await reader.stopStream(id)).toBe(true);
    await until(() => signals.every((s) => s.aborted) && sources.every((s) => s.cancelled));
    expect(await Promise.all(texts)).toEqual(ids.map(() => 'before stop'));
    await until(async () => (await reader.hasExistingStream(ids[3]!)) === 'DONE');
  });
});
