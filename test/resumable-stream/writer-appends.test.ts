// How the writer appends: a retried append that landed twice reads once; TTL renewal is throttled.
import { describe, expect, it } from 'vitest';
import { createMemoryRepository, FakeClock, flushMicrotasks, TaskStreamError, type AppendRequest } from 'taskstream';
import { wrapRepository } from 'taskstream/conformance';
import { createResumableStreamContext } from 'taskstream/resumable-stream';
import { manualSource, readAll } from './support.js';

describe('writer appends', () => {
  it('an append that landed but answered with a connection error is retried, and readers get its text once', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    let failNext = true;
    const flaky = wrapRepository(inner, {
      async append(request) {
        const result = await inner.append(request);
        if (failNext && request.entries.some((e) => e['k'] === 'chunk')) {
          failNext = false;
          throw new TaskStreamError('BACKEND_UNAVAILABLE', 'connection reset after the write');
        }
        return result;
      },
    });
    const waited: Promise<unknown>[] = [];
    const writer = createResumableStreamContext({ waitUntil: (p) => void waited.push(p), clock, repository: flaky, batching: 'per_chunk' });
    const source = manualSource();
    await writer.createNewResumableStream('s', () => source.stream);
    source.push('once ');
    source.push('only');
    source.end();
    await flushMicrotasks();
    await clock.advance(100); // the retry's backoff
    await Promise.all(waited);
    const copies = (await inner.read('resumable-stream:rs:{s}', '0-0')).filter((e) => e.fields['d'] === 'once ').length;
    expect(copies).toBe(2);
    const reader = createResumableStreamContext({ waitUntil: null, clock, repository: inner, replayFinished: true });
    expect(await readAll((await reader.resumeExistingStream('s'))!)).toBe('once only');
    expect(await readAll((await reader.resumeExistingStream('s', 2))!)).toBe('ce only');
  });

  it('renews the TTL at most every quarter TTL while writing, and with the end', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    const appends: AppendRequest[] = [];
    const recording = wrapRepository(inner, {
      append: (request) => {
        appends.push(request);
        return inner.append(request);
      },
    });
    const waited: Promise<unknown>[] = [];
    const context = createResumableStreamContext({ waitUntil: (p) => void waited.push(p), clock, repository: recording, batching: 'per_chunk', ttlSeconds: 40, leaseMs: 60_000 });
    const source = manualSource();
    await context.createNewResumableStream('s', () => source.stream);
    for (let second = 0; second < 25; second++) {
      source.push(`${second};`);
      await flushMicrotasks();
      await clock.advance(1_000);
    }
    source.end();
    await flushMicrotasks();
    await Promise.all(waited);
    const ttls = appends.map((a) => a.ttlSeconds);
    expect(ttls[0]).toBe(40); // the open entry
    expect(ttls.at(-1)).toBe(40); // the end
    expect(ttls.slice(1, -1).filter((t) => t > 0)).toHaveLength(2); // at 10 s and 20 s of 25
    expect((await inner.info('resumable-stream:rs:{s}'))!.ttlMs).toBe(40_000);
  });

  it('a TTL renewal whose append failed is carried by the re-send', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    const appends: AppendRequest[] = [];
    let failRenewal = true;
    const flaky = wrapRepository(inner, {
      async append(request) {
        appends.push(request);
        if (failRenewal && request.ttlSeconds > 0 && request.entries.some((e) => e['k'] === 'chunk')) {
          failRenewal = false;
          throw new TaskStreamError('BACKEND_UNAVAILABLE', 'connection refused');
        }
        return inner.append(request);
      },
    });
    const waited: Promise<unknown>[] = [];
    const context = createResumableStreamContext({ waitUntil: (p) => void waited.push(p), clock, repository: flaky, batching: 'per_chunk', ttlSeconds: 40, leaseMs: 60_000 });
    const source = manualSource();
    await context.createNewResumableStream('s', () => source.stream);
    await clock.advance(11_000);
    source.push('due for renewal');
    await flushMicrotasks();
    expect(failRenewal).toBe(false);
    await clock.advance(100); // the re-send's backoff
    await flushMicrotasks();
    const resend = appends.at(-1)!;
    expect(resend.entries.map((e) => e['d'])).toEqual(['due for renewal']);
    expect(resend.ttlSeconds).toBe(40);
    source.end();
    await flushMicrotasks();
    await Promise.all(waited);
  });
});
