// Whatever the chunking and batching, a reader's concatenation is exactly what makeStream produced
// (from skipCharacters on), for a live resume and for a replay.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createMemoryRepository, FakeClock, flushMicrotasks, systemClock, TaskStreamError, type AppendRequest, type StreamRepository } from 'taskstream';
import { wrapRepository } from 'taskstream/conformance';
import { createResumableStreamContext } from 'taskstream/resumable-stream';
import { assertWithSeed } from '../domain/publisher/fc-seed.js';
import { manualSource, readAll } from './support.js';

describe('concatenation', () => {
  it('a resumed reader gets makeStream\'s text after skipCharacters, whatever the chunks and batching', async () => {
    let n = 0;
    await assertWithSeed(
      'resumable concatenation',
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.constantFrom('per_chunk' as const, 'coalesced' as const),
        fc.nat({ max: 400 }),
        async (chunks, splitAt, batching, skipRaw) => {
          const repository = createMemoryRepository({ clock: systemClock });
          const finished: Promise<unknown>[] = [];
          const options = { repository, batching, flushIntervalMs: 1, maxBufferedChars: 7, waitUntil: (p: Promise<unknown>) => void finished.push(p) };
          const writer = createResumableStreamContext(options);
          const id = `p${n++}`;
          const source = manualSource();
          const own = await writer.createNewResumableStream(id, () => source.stream);
          const full = chunks.join('');
          const skip = Math.min(skipRaw, full.length + 3);
          const cut = Math.min(splitAt, chunks.length);
          for (const chunk of chunks.slice(0, cut)) source.push(chunk);
          const live = await createResumableStreamContext(options).resumeExistingStream(id, skip);
          for (const chunk of chunks.slice(cut)) source.push(chunk);
          source.end();
          const [ownText, liveText] = await Promise.all([readAll(own!), readAll(live!)]);
          await Promise.all(finished);
          const replay = await createResumableStreamContext({ ...options, replayFinished: true }).resumeExistingStream(id, skip);
          const replayText = await readAll(replay!);
          return ownText === full && liveText === full.slice(skip) && replayText === full.slice(skip);
        },
      ),
      40,
    );
  });

  it('stays exact with several appends in flight when appends fail, land and then fail, or overtake each other', async () => {
    let n = 0;
    await assertWithSeed(
      'resumable concatenation under append faults',
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 24 }),
        fc.integer({ min: 0, max: 24 }),
        fc.constantFrom('per_chunk' as const, 'coalesced' as const),
        // One fault per writer append, in order (then none); at most 3 failures so a writer never gives up (5 attempts).
        fc.array(fc.oneof(fc.constant<Fault>('ok'), fc.constant<Fault>('fail'), fc.constant<Fault>('ambiguous'), fc.nat({ max: 6 })), { maxLength: 30 }).filter((plan) => plan.filter((f) => f === 'fail' || f === 'ambiguous').length <= 3),
        async (chunks, splitAt, batching, plan) => {
          const clock = new FakeClock();
          const inner = createMemoryRepository({ clock });
          const repository = faulty(inner, plan);
          const finished: Promise<unknown>[] = [];
          const options = { repository, clock, batching, flushIntervalMs: 1, maxBufferedChars: 7, waitUntil: (p: Promise<unknown>) => void finished.push(p) };
          const id = `f${n++}`;
          const source = manualSource();
          const own = await createResumableStreamContext(options).createNewResumableStream(id, () => source.stream);
          const cut = Math.min(splitAt, chunks.length);
          for (const chunk of chunks.slice(0, cut)) source.push(chunk);
          await flushMicrotasks();
          const live = await createResumableStreamContext({ ...options, repository: inner }).resumeExistingStream(id);
          for (const chunk of chunks.slice(cut)) source.push(chunk);
          source.end();
          let settled = false;
          const texts = Promise.all([readAll(own!), readAll(live!), Promise.all(finished)]).finally(() => (settled = true));
          // Drive the backoffs and flush timers on the fake clock (bounded: far below the 30 s lease).
          for (let step = 0; step < 400 && !settled; step++) {
            await flushMicrotasks();
            await clock.advance(25);
          }
          if (!settled) return false; // a reader stalled (a gap nobody closed) or the writer never finished
          const [ownText, liveText] = await texts;
          const replay = await createResumableStreamContext({ ...options, repository: inner, replayFinished: true }).resumeExistingStream(id);
          const full = chunks.join('');
          return ownText === full && liveText === full && (await readAll(replay!)) === full;
        },
      ),
      60,
    );
  });
});

/** What a writer append meets: `ok`, `fail` (nothing written), `ambiguous` (written, then an error), or n microtask hops of delay (later appends may overtake it). */
type Fault = 'ok' | 'fail' | 'ambiguous' | number;

function faulty(inner: StreamRepository, plan: readonly Fault[]): StreamRepository {
  let next = 0;
  const isWriterAppend = (request: AppendRequest): boolean => request.entries.some((e) => e['s'] !== undefined);
  return wrapRepository(inner, {
    async append(request) {
      if (!isWriterAppend(request)) return inner.append(request);
      const fault = plan[next++] ?? 'ok';
      if (fault === 'fail') throw new TaskStreamError('BACKEND_UNAVAILABLE', 'injected: connection refused');
      if (typeof fault === 'number') await flushMicrotasks(fault);
      const result = await inner.append(request);
      if (fault === 'ambiguous') throw new TaskStreamError('BACKEND_UNAVAILABLE', 'injected: connection reset after the write');
      return result;
    },
  });
}
