// What resumable-stream cannot do: resume after the writer is gone, a writer lease on the
// injected clock, stop from any instance, exact resume by entry id.
import { describe, expect, it } from 'vitest';
import { createMemoryRepository, FakeClock, flushMicrotasks } from 'taskstream';
import { wrapRepository } from 'taskstream/conformance';
import { createResumableStreamContext, type ResumableChunk } from 'taskstream/resumable-stream';
import type { StreamRepository } from 'taskstream';
import { manualSource, readAll } from './support.js';

const LEASE = 30_000;

/** A writer's view of the backend that can be frozen, as a SIGKILLed or hung process leaves it: no call ever returns again. */
function killable(inner: StreamRepository): { repository: StreamRepository; kill(): void } {
  let dead = false;
  const never = new Promise<never>(() => undefined);
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      dead ? never : call(...args);
  return {
    repository: wrapRepository(inner, {
      append: guard((request) => inner.append(request)),
      read: guard((topic, afterId, options) => inner.read(topic, afterId, options)),
    }),
    kill: () => {
      dead = true;
    },
  };
}

function setup(batching: 'per_chunk' | 'coalesced' = 'per_chunk') {
  const clock = new FakeClock();
  const repository = createMemoryRepository({ clock });
  const writer = killable(repository);
  const waited: Promise<unknown>[] = [];
  const base = { clock, batching, waitUntil: (p: Promise<unknown>) => void waited.push(p) };
  return {
    clock,
    repository,
    writer,
    waited,
    a: createResumableStreamContext({ ...base, repository: writer.repository }),
    b: createResumableStreamContext({ ...base, repository }),
  };
}

async function collect(stream: ReadableStream<string>): Promise<{ text: string; ended: boolean }> {
  const state = { text: '', ended: false };
  void (async () => {
    for await (const chunk of stream as unknown as AsyncIterable<string>) state.text += chunk;
    state.ended = true;
  })();
  return state;
}

describe('writer lease', () => {
  it('an idle live writer heartbeats on the clock, holding one timer, and none once it ends', async () => {
    const { a, b, clock, waited } = setup('coalesced');
    const source = manualSource();
    await a.createNewResumableStream('s', () => source.stream);
    source.push('first');
    source.push(' second');
    await flushMicrotasks();
    await clock.advance(25); // the coalescing window closes, the buffered chunk is appended
    for (let elapsed = 0; elapsed < 3 * LEASE; elapsed += 5_000) await clock.advance(5_000);
    expect(await b.hasExistingStream('s')).toBe(true);
    expect(clock.pendingCount).toBe(1); // the heartbeat wait; no coalescing timer, no poll
    source.end();
    await flushMicrotasks();
    await Promise.all(waited);
    await flushMicrotasks();
    expect(clock.pendingCount).toBe(0);
    expect(await b.hasExistingStream('s')).toBe('DONE');
  });

  it('a reader of a live but idle writer stays open through heartbeats, past many leases, and gets the rest', async () => {
    const { a, b, clock, waited } = setup();
    const source = manualSource();
    await a.createNewResumableStream('s', () => source.stream);
    source.push('think');
    await flushMicrotasks();
    const reader = await collect((await b.resumeExistingStream('s'))!);
    for (let elapsed = 0; elapsed < 4 * LEASE; elapsed += 2_000) await clock.advance(2_000);
    expect(reader).toEqual({ text: 'think', ended: false });
    source.push('ing done');
    source.end();
    await flushMicrotasks();
    await Promise.all(waited);
    await flushMicrotasks();
    expect(reader).toEqual({ text: 'thinking done', ended: true });
  });

  it('a reader resumes after the writer died mid-stream: everything written, then an explicit end when the lease expires, never a hang', async () => {
    const { a, b, clock, writer } = setup();
    const source = manualSource();
    await a.createNewResumableStream('s', () => source.stream);
    source.push('written ');
    source.push('before the crash');
    await flushMicrotasks();
    writer.kill();
    source.push(' never appended');
    await clock.advance(1_000);
    const reader = await collect((await b.resumeExistingStream('s'))!);
    await flushMicrotasks();
    expect(reader.text).toBe('written before the crash');
    await clock.advance(LEASE - 2_000);
    expect(reader.ended).toBe(false); // inside the lease the writer may still come back
    await clock.advance(2_000);
    await flushMicrotasks();
    expect(reader).toEqual({ text: 'written before the crash', ended: true });
    expect(await b.hasExistingStream('s')).toBe('DONE');
    expect(await b.resumeExistingStream('s')).toBeNull();
  });

  it('a reader arriving after the lease expired gets null, or the content with replayFinished', async () => {
    const { a, b, clock, writer, repository } = setup();
    const source = manualSource();
    await a.createNewResumableStream('s', () => source.stream);
    source.push('partial');
    await flushMicrotasks();
    writer.kill();
    await clock.advance(LEASE + 1);
    const replaying = createResumableStreamContext({ waitUntil: null, clock, repository, replayFinished: true });
    expect(await readAll((await replaying.resumeExistingStream('s'))!)).toBe('partial');
    expect(await b.resumeExistingStream('s')).toBeNull();
  });
});

describe('stopStream', () => {
  it('from another instance: cancels the writer\'s source, fires its signal, ends its own stream and every reader', async () => {
    const { a, b, clock, waited } = setup();
    const source = manualSource();
    let signal: AbortSignal | undefined;
    const own = await collect(
      (await a.createNewResumableStream('s', (options) => {
        signal = options.signal;
        return source.stream;
      }))!,
    );
    source.push('abc');
    await flushMicrotasks();
    const reader = await collect((await b.resumeExistingStream('s'))!);
    await flushMicrotasks();
    expect(await b.stopStream('s')).toBe(true);
    await clock.advance(1);
    await flushMicrotasks();
    await Promise.all(waited);
    expect(signal?.aborted).toBe(true);
    expect(source.cancelled).toBe(true);
    expect(own).toEqual({ text: 'abc', ended: true });
    expect(reader).toEqual({ text: 'abc', ended: true });
    expect(await b.hasExistingStream('s')).toBe('DONE');
    expect(await b.stopStream('s')).toBe(false);
    expect(await b.stopStream('missing')).toBe(false);
  });

  it('ends readers at once even when the writer is already gone', async () => {
    const { a, b, writer } = setup();
    const source = manualSource();
    await a.createNewResumableStream('s', () => source.stream);
    source.push('x');
    await flushMicrotasks();
    writer.kill();
    const reader = await collect((await b.resumeExistingStream('s'))!);
    await flushMicrotasks();
    await b.stopStream('s');
    await flushMicrotasks();
    expect(reader).toEqual({ text: 'x', ended: true });
  });
});

describe('exact resume by entry id', () => {
  it('resumeAt an id from resumeExistingChunks continues right after that entry', async () => {
    const { a, b } = setup();
    const source = manualSource();
    await a.createNewResumableStream('s', () => source.stream);
    for (const chunk of ['α', 'β', 'γ']) source.push(chunk);
    await flushMicrotasks();
    const first = (await b.resumeExistingChunks('s'))!.getReader();
    const got: ResumableChunk[] = [];
    while (got.length < 2) got.push((await first.read()).value!);
    await first.cancel();
    expect(got.map((c) => c.text)).toEqual(['α', 'β']);
    source.push('δ');
    source.end();
    const rest = await readAll((await b.resumeExistingStream('s', undefined, { resumeAt: got[1]!.id }))!);
    expect(rest).toBe('γδ');
  });
});
