// The four methods of resumable-stream 2.x, with its results, on the memory backend.
import { describe, expect, it } from 'vitest';
import { createMemoryRepository, systemClock, TaskStreamError } from 'taskstream';
import { createResumableStreamContext } from 'taskstream/resumable-stream';
import { manualSource, readAll, sourceOf, until } from './support.js';

function setup(extra: Partial<Parameters<typeof createResumableStreamContext>[0]> = {}) {
  const repository = createMemoryRepository({ clock: systemClock });
  const waited: Promise<unknown>[] = [];
  const options = { waitUntil: (p: Promise<unknown>) => void waited.push(p), repository, batching: 'per_chunk' as const, ...extra };
  // Two contexts on one backend stand for two instances of an app.
  return { repository, waited, a: createResumableStreamContext(options), b: createResumableStreamContext(options) };
}

describe('resumable-stream compatibility', () => {
  it('keyPrefix and waitUntil are resumable-stream\'s', async () => {
    const { a, waited } = setup();
    expect(a.keyPrefix).toBe('resumable-stream:rs');
    expect(createResumableStreamContext({ waitUntil: null, keyPrefix: 'app', repository: createMemoryRepository({ clock: systemClock }) }).keyPrefix).toBe('app:rs');
    const stream = await a.createNewResumableStream('s1', sourceOf(['x']));
    expect(waited).toHaveLength(1);
    expect(await readAll(stream!)).toBe('x');
    await waited[0];
  });

  it('resumableStream: the first call creates, a concurrent one resumes from the start, a late one gets null', async () => {
    const { a, b, waited } = setup();
    const source = manualSource();
    let made = 0;
    const make = () => {
      made++;
      return source.stream;
    };
    const first = await a.resumableStream('s', make);
    source.push('Hel');
    source.push('lo');
    const second = await b.resumableStream('s', make);
    source.push(', world');
    source.end();
    expect(await readAll(first!)).toBe('Hello, world');
    expect(await readAll(second!)).toBe('Hello, world');
    expect(made).toBe(1);
    await Promise.all(waited);
    expect(await b.resumableStream('s', make)).toBeNull();
    expect(made).toBe(1);
  });

  it('resumeExistingStream: undefined when missing, the rest after skipCharacters while live, null when done', async () => {
    const { a, b, waited } = setup();
    expect(await b.resumeExistingStream('none')).toBeUndefined();
    expect(await b.hasExistingStream('none')).toBeNull();
    const source = manualSource();
    const own = await a.createNewResumableStream('s', () => source.stream);
    source.push('abcdef');
    source.push('ghij');
    await until(async () => (await b.hasExistingStream('s')) === true);
    const resumed = await b.resumeExistingStream('s', 3);
    source.push('k');
    source.end();
    expect(await readAll(resumed!)).toBe('defghijk');
    expect(await readAll(own!)).toBe('abcdefghijk');
    await Promise.all(waited);
    expect(await b.hasExistingStream('s')).toBe('DONE');
    expect(await b.resumeExistingStream('s')).toBeNull();
  });

  it('the writer reads its source to the end even when its own reader cancels', async () => {
    const { a, b, repository, waited } = setup();
    const source = manualSource();
    const own = await a.createNewResumableStream('s', () => source.stream);
    const reader = own!.getReader();
    source.push('one ');
    await reader.read();
    await reader.cancel();
    source.push('two');
    source.end();
    await Promise.all(waited);
    expect(source.cancelled).toBe(false);
    expect(await b.hasExistingStream('s')).toBe('DONE');
    const replay = createResumableStreamContext({ waitUntil: null, repository, replayFinished: true });
    expect(await readAll((await replay.resumeExistingStream('s'))!)).toBe('one two');
  });

  it('createNewResumableStream replaces an older stream with the same id', async () => {
    const { a, b, waited } = setup({ replayFinished: true });
    await readAll((await a.createNewResumableStream('s', sourceOf(['old'])))!);
    await Promise.all(waited);
    await readAll((await a.createNewResumableStream('s', sourceOf(['new'])))!);
    await Promise.all(waited);
    expect(await readAll((await b.resumeExistingStream('s'))!)).toBe('new');
  });

  it('replayFinished (off by default) replays a finished stream while it is retained', async () => {
    const { a, repository, waited } = setup();
    await readAll((await a.createNewResumableStream('s', sourceOf(['a', 'b', 'c'])))!);
    await Promise.all(waited);
    expect(await a.resumeExistingStream('s')).toBeNull();
    const replaying = createResumableStreamContext({ waitUntil: null, repository, replayFinished: true });
    expect(await readAll((await replaying.resumeExistingStream('s', 1))!)).toBe('bc');
    expect(await readAll((await replaying.resumableStream('s', sourceOf(['never'])))!)).toBe('abc');
  });

  it('rejects bad input with typed errors', async () => {
    const { a } = setup();
    await expect(a.resumeExistingStream('', 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.resumeExistingStream('s', -1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.resumeExistingStream('s', 0, { resumeAt: '$' })).rejects.toMatchObject({ code: 'INVALID_RESUME_POINT' });
    expect(() => createResumableStreamContext({ waitUntil: null, leaseMs: 100, heartbeatMs: 100 })).toThrow(TaskStreamError);
    // A node-redis or hand-written pub/sub publisher cannot hold streams: said at once, not on first use.
    const pubsubOnly = { connect: async () => undefined, publish: async () => 1, set: async () => 'OK', get: async () => null, incr: async () => 1 };
    expect(() => createResumableStreamContext({ waitUntil: null, publisher: pubsubOnly })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('a source that produces a non-string errors the writer\'s stream and ends every reader', async () => {
    const { a, b, waited } = setup();
    const source = manualSource();
    const own = await a.createNewResumableStream('s', () => source.stream);
    source.push('ok');
    source.push(42 as unknown as string);
    await expect(readAll(own!)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await Promise.all(waited);
    expect(await b.hasExistingStream('s')).toBe('DONE');
  });
});
