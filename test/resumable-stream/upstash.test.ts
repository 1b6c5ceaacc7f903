// The same context on Upstash (REST, no blocking reads: readers poll), chosen by the environment
// as the container reads it, against the local Upstash-protocol server in front of redis-server.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeSharedRepositories, createResumableStreamContext } from 'taskstream/resumable-stream';
import { startUpstashStack, type UpstashStack } from '../upstash-server/stack.js';
import { manualSource, readAll, until } from './support.js';

let stack: UpstashStack;

beforeAll(async () => {
  stack = await startUpstashStack();
  vi.stubEnv('TASKSTREAM_BACKEND', 'upstash');
  vi.stubEnv('UPSTASH_REDIS_REST_URL', stack.server.url);
  vi.stubEnv('UPSTASH_REDIS_REST_TOKEN', stack.server.token);
});
afterAll(async () => {
  await closeSharedRepositories();
  vi.unstubAllEnvs();
  await stack.stop();
});

describe('resumable streams on Upstash', () => {
  it('create, resume mid-stream with skipCharacters, done; then stop a live stream from another context', async () => {
    const options = { waitUntil: null, pollMs: 10, batching: 'per_chunk' as const };
    const writer = createResumableStreamContext(options);
    const reader = createResumableStreamContext(options);
    const source = manualSource();
    const own = await writer.createNewResumableStream('u1', () => source.stream);
    source.push('over ');
    source.push('REST');
    await until(async () => (await reader.hasExistingStream('u1')) === true);
    const resumed = await reader.resumeExistingStream('u1', 1);
    source.end();
    expect(await readAll(own!)).toBe('over REST');
    expect(await readAll(resumed!)).toBe('ver REST');
    await until(async () => (await reader.hasExistingStream('u1')) === 'DONE');

    const live = manualSource();
    let signal: AbortSignal | undefined;
    const ownLive = await writer.createNewResumableStream('u2', (o) => {
      signal = o.signal;
      return live.stream;
    });
    live.push('partial');
    expect(await reader.stopStream('u2')).toBe(true);
    expect(await readAll(ownLive!)).toBe('partial');
    expect(signal?.aborted).toBe(true);
    expect(live.cancelled).toBe(true);
  });
});
