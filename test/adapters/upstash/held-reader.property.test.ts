import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { HeldReader, type HeldRead } from '../../../src/adapters/upstash/held-reader.js';
import type { BatchRead } from '../../../src/adapters/upstash/read-poller.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { StreamEntry, TopicCursor } from '../../../src/ports/stream-repository.js';

const turn = async (n = 2): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

type Op =
  | { readonly kind: 'append'; readonly topic: number; readonly n: number }
  | { readonly kind: 'reader'; readonly topic: number; readonly blockMs: number; readonly count: number; readonly back: number }
  | { readonly kind: 'stop'; readonly reader: number }
  | { readonly kind: 'tick'; readonly ms: number }
  | { readonly kind: 'network'; readonly state: 'ok' | 'hang' | 'fail' };

const TOPICS = ['a', 'b', 'c'];
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), topic: fc.nat({ max: 2 }), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('reader' as const), topic: fc.nat({ max: 2 }), blockMs: fc.constantFrom(50, 500, 60_000), count: fc.integer({ min: 0, max: 3 }), back: fc.nat({ max: 6 }) }),
  fc.record({ kind: fc.constant('stop' as const), reader: fc.nat({ max: 9 }) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(0, 10, 300, 20_000) }),
  fc.record({ kind: fc.constant('network' as const), state: fc.constantFrom('ok' as const, 'hang' as const, 'fail' as const) }),
);

/**
 * In-memory topics behind a held read that answers at once when it can, else on the next append;
 * an aborted call answers late with what it would have read (a response that crossed the abort);
 * `hang` never answers, `fail` rejects as a network error.
 */
function server() {
  const topics = new Map<string, StreamEntry[]>(TOPICS.map((t) => [t, []]));
  const wakers = new Set<() => void>();
  let seq = 0;
  let network: 'ok' | 'hang' | 'fail' = 'ok';
  const after = (c: TopicCursor, count: number): StreamEntry[] => {
    const from = Number(c.afterId.split('-')[0]);
    const all = topics.get(c.topic)!.filter((e) => Number(e.id.split('-')[0]) > from);
    return count > 0 ? all.slice(0, count) : all;
  };
  const probe: BatchRead = async (cursors, count) => cursors.map((c) => after(c, count));
  const held: HeldRead = (cursors, count, _blockMs, signal) =>
    new Promise((resolve, reject) => {
      if (network === 'fail') return reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'fetch failed'));
      const hang = network === 'hang';
      let settled = false;
      const tryAnswer = (): void => {
        if (settled || hang) return;
        const lists = cursors.map((c) => after(c, count));
        if (lists.every((l) => l.length === 0)) return;
        settled = true;
        wakers.delete(tryAnswer);
        resolve(lists);
      };
      signal.addEventListener('abort', () => {
        wakers.delete(tryAnswer);
        queueMicrotask(() => {
          if (settled) return;
          settled = true;
          if (hang) reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'aborted'));
          else resolve(cursors.map((c) => after(c, count)));
        });
      });
      wakers.add(tryAnswer);
      tryAnswer();
    });
  const append = (topic: string, n: number): void => {
    for (let i = 0; i < n; i++) topics.get(topic)!.push({ id: `${++seq}-0`, fields: {} });
    for (const wake of [...wakers]) wake();
  };
  return { held, probe, append, topics, setNetwork: (s: typeof network) => (network = s) };
}

describe('HeldReader under random joins, stops, appends, timeouts and network faults', () => {
  it('every reader gets exactly the entries after its start, in order, once', { timeout: 60_000 }, async () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 1_000_000);
    console.info(`held-reader property: seed ${seed}`);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const clock = new FakeClock();
        const srv = server();
        const reader = new HeldReader(srv.held, srv.probe, { clock, logger: undefined, blockMs: 10_000, requestTimeoutMs: 15_000, onRefused: () => undefined });
        const readers: { topic: string; start: string; seen: string[]; stop: AbortController; loop: Promise<void> }[] = [];
        // A reader starts `back` entries before the tail (a resume point), so cursors older than a held round's occur.
        const spawn = (topic: string, blockMs: number, count: number, back: number): void => {
          const entries = srv.topics.get(topic)!;
          const start = entries[entries.length - 1 - back]?.id ?? '0-0';
          const r = { topic, start, seen: [] as string[], stop: new AbortController(), loop: Promise.resolve() };
          r.loop = (async () => {
            let cursor = start;
            while (!r.stop.signal.aborted) {
              const [got] = await reader.read([{ topic, afterId: cursor }], count, blockMs, r.stop.signal);
              for (const e of got!) r.seen.push(e.id);
              if (got!.length > 0) cursor = got!.at(-1)!.id;
            }
          })();
          readers.push(r);
        };
        for (const o of ops) {
          if (o.kind === 'append') srv.append(TOPICS[o.topic]!, o.n);
          else if (o.kind === 'reader') spawn(TOPICS[o.topic]!, o.blockMs, o.count, o.back);
          else if (o.kind === 'stop') readers[o.reader]?.stop.abort();
          else if (o.kind === 'tick') await clock.advance(o.ms);
          else srv.setNetwork(o.state);
          await turn();
        }
        // Heal the network and let every live reader catch up (timeouts and pauses run out).
        srv.setNetwork('ok');
        for (let i = 0; i < 8; i++) {
          await clock.advance(16_000);
          await turn(4);
        }
        for (const r of readers) {
          const expected = srv.topics.get(r.topic)!.map((e) => e.id).filter((id) => Number(id.split('-')[0]) > Number(r.start.split('-')[0]));
          if (r.stop.signal.aborted) expect(expected.slice(0, r.seen.length)).toEqual(r.seen);
          else expect(r.seen).toEqual(expected);
        }
        for (const r of readers) r.stop.abort();
        reader.close();
        await Promise.allSettled(readers.map((r) => r.loop));
        expect(clock.pendingCount).toBe(0);
      }),
      { numRuns: 150, seed, interruptAfterTimeLimit: 45_000 },
    );
  });
});
