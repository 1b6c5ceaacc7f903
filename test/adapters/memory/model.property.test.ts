// Random histories against a plain-array model: the retained entries are always a suffix of
// everything appended, reads return exactly the model's entries after any id, and MAXLEN ~ keeps
// between max(maxLen, batch) and that plus one node.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareStreamIds, formatStreamId } from '../../../src/domain/stream-id.js';
import type { StreamEntry } from '../../../src/ports/stream-repository.js';
import { T0, setup } from './helpers.js';

const op = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), size: fc.integer({ min: 1, max: 12 }), maxLen: fc.constantFrom(0, 1, 4, 9, 25) }),
  fc.record({ kind: fc.constant('clock' as const), delta: fc.integer({ min: -50, max: 50 }) }),
  fc.record({ kind: fc.constant('read' as const), ms: fc.integer({ min: -5, max: 60 }), seq: fc.nat({ max: 40 }), count: fc.nat({ max: 6 }) }),
);

describe('memory repository against a model', () => {
  it('keeps a suffix of the appended entries and reads exactly what comes after any id', async () => {
    const seed = process.env.FC_SEED === undefined ? Date.now() ^ 0x30de1 : Number(process.env.FC_SEED);
    const property = fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.array(op, { minLength: 1, maxLength: 60 }), async (nodeMaxEntries, ops) => {
      const { clock, repo } = setup({ nodeMaxEntries });
      const all: StreamEntry[] = [];
      let n = 0;
      for (const step of ops) {
        if (step.kind === 'clock') {
          clock.set(Math.max(0, clock.now() + step.delta));
        } else if (step.kind === 'append') {
          const before = (await repo.info('t'))?.length ?? 0;
          const entries = Array.from({ length: step.size }, () => ({ n: String(n++) }));
          const { ids } = await repo.append({ topic: 't', entries, maxLen: step.maxLen, ttlSeconds: 0 });
          ids.forEach((id, i) => {
            if (all.length > 0) expect(compareStreamIds(all[all.length - 1]!.id, id)).toBeLessThan(0);
            all.push({ id, fields: entries[i]! });
          });
          const length = (await repo.info('t'))!.length;
          if (step.maxLen > 0) {
            const floor = Math.min(before + step.size, Math.max(step.maxLen, step.size));
            expect(length).toBeGreaterThanOrEqual(floor);
            expect(length).toBeLessThan(Math.max(step.maxLen, step.size) + nodeMaxEntries);
          }
        } else {
          const after = formatStreamId({ ms: BigInt(Math.max(0, T0 + step.ms)), seq: BigInt(step.seq) });
          const info = await repo.info('t');
          const retained = info === null ? [] : all.slice(all.length - info.length);
          const want = retained.filter((e) => compareStreamIds(e.id, after) > 0);
          const got = await repo.read('t', after, { count: step.count });
          expect(got).toEqual(step.count > 0 ? want.slice(0, step.count) : want);
        }
      }
      const info = await repo.info('t');
      if (info !== null) {
        expect(await repo.read('t', '0-0')).toEqual(all.slice(all.length - info.length));
        expect(info.entriesAdded).toBe(all.length);
        expect(info.lastId).toBe(all[all.length - 1]!.id);
      }
    });
    try {
      await fc.assert(property, { numRuns: 150, seed });
    } catch (err) {
      throw new Error(`model property failed; rerun with FC_SEED=${seed}\n${String(err)}\n${String((err as Error).cause ?? '')}`);
    }
  });
});
