// Several appends in flight per stream: a chunk leaves at once even while earlier appends are
// unanswered, and readers stay exact when a later append lands before an earlier one.
import { describe, expect, it } from 'vitest';
import { createMemoryRepository, FakeClock, flushMicrotasks, type AppendRequest } from 'taskstream';
import { wrapRepository } from 'taskstream/conformance';
import { createResumableStreamContext } from 'taskstream/resumable-stream';
import { manualSource, readAll } from './support.js';

const TOPIC = 'resumable-stream:rs:{s}';
const isWriterAppend = (request: AppendRequest): boolean => request.entries.some((e) => e['s'] !== undefined);

describe('appends in flight', () => {
  it('sends each chunk at once while earlier appends are still unanswered', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    const held: (() => void)[] = [];
    let inFlight = 0;
    let most = 0;
    const slow = wrapRepository(inner, {
      async append(request) {
        if (!isWriterAppend(request)) return inner.append(request);
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise<void>((resolve) => held.push(resolve));
        inFlight--;
        return inner.append(request);
      },
    });
    const waited: Promise<unknown>[] = [];
    const writer = createResumableStreamContext({ waitUntil: (p) => void waited.push(p), clock, repository: slow, batching: 'per_chunk' });
    const source = manualSource();
    const own = await writer.createNewResumableStream('s', () => source.stream);
    for (const chunk of ['a', 'b', 'c', 'd']) {
      source.push(chunk);
      await flushMicrotasks();
    }
    expect(most).toBe(4);
    source.end();
    for (let turn = 0; turn < 50 && waited.length > 0; turn++) {
      for (const release of held.splice(0)) release();
      await flushMicrotasks();
    }
    await Promise.all(waited);
    expect(await readAll(own!)).toBe('abcd');
    const reader = createResumableStreamContext({ waitUntil: null, clock, repository: inner, replayFinished: true });
    expect(await readAll((await reader.resumeExistingStream('s'))!)).toBe('abcd');
  });

  it('re-sends from the append that was overtaken, and readers get every chunk once, in order', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    let release!: () => void;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    let writerAppends = 0;
    // The first chunk's append reaches the backend only after the second one landed (as concurrent REST requests can).
    const overtaking = wrapRepository(inner, {
      async append(request) {
        if (isWriterAppend(request) && writerAppends++ === 0) await firstHeld;
        return inner.append(request);
      },
    });
    const waited: Promise<unknown>[] = [];
    const writer = createResumableStreamContext({ waitUntil: (p) => void waited.push(p), clock, repository: overtaking, batching: 'per_chunk' });
    const source = manualSource();
    await writer.createNewResumableStream('s', () => source.stream);
    const live = await createResumableStreamContext({ waitUntil: null, clock, repository: inner }).resumeExistingStream('s');
    source.push('one ');
    source.push('two ');
    await flushMicrotasks();
    release();
    await flushMicrotasks();
    source.push('three');
    source.end();
    await flushMicrotasks();
    await Promise.all(waited);
    const stored = (await inner.read(TOPIC, '0-0')).map((e) => e.fields['d']).filter((d) => d !== undefined);
    // "one " landed second, in order after nothing; "two " landed before it and is re-sent after it.
    expect(stored).toEqual(['two ', 'one ', 'two ', 'three']);
    expect(await readAll(live!)).toBe('one two three');
    const replay = await createResumableStreamContext({ waitUntil: null, clock, repository: inner, replayFinished: true }).resumeExistingStream('s');
    expect(await readAll(replay!)).toBe('one two three');
  });

  it('a reader takes only the next sequence number: a copy ahead of a gap is dropped and read again after it', async () => {
    const clock = new FakeClock();
    const repository = createMemoryRepository({ clock });
    const context = createResumableStreamContext({ waitUntil: null, clock, repository, replayFinished: true });
    const now = String(clock.now());
    await repository.append({ topic: TOPIC, entries: [{ k: 'open', t: now, l: '30000' }], maxLen: 0, ttlSeconds: 0 });
    const chunk = (s: number, d: string): Record<string, string> => ({ k: 'chunk', t: now, d, s: String(s) });
    // 0, then 2 ahead of the gap, then the re-send of 1 and 2, then a second copy of 2, then the end.
    const entries = [chunk(0, 'a'), chunk(2, 'c'), chunk(1, 'b'), chunk(2, 'c'), chunk(2, 'c'), { k: 'end', t: now, r: 'done', s: '3' }];
    await repository.append({ topic: TOPIC, entries, maxLen: 0, ttlSeconds: 0 });
    expect(await readAll((await context.resumeExistingStream('s'))!)).toBe('abc');
    const pieces = [];
    for await (const piece of (await context.resumeExistingChunks('s'))! as unknown as AsyncIterable<{ id: string; text: string }>) pieces.push(piece);
    // Resuming after "a": the "c" right after it lies beyond the gap; "b" and "c" follow.
    const afterA = await context.resumeExistingChunks('s', { resumeAt: pieces[0]!.id });
    const rest = [];
    for await (const piece of afterA! as unknown as AsyncIterable<{ text: string }>) rest.push(piece.text);
    expect(rest.join('')).toBe('bc');
  });
});
