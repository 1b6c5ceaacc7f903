// Whatever the chunking and batching, a reader's concatenation is exactly what makeStream produced
// (from skipCharacters on), for a live resume and for a replay.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createMemoryRepository, systemClock } from 'taskstream';
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
});
