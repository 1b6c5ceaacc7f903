import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Command } from 'ioredis';
import { XReadEncoder } from '../../../src/adapters/ioredis/xread-command.js';
import { assertWithSeed } from '../../domain/publisher/fc-seed.js';

/** What ioredis itself writes for the same XREAD (the reference). */
function ioredisWire(cursors: Map<string, string>, count: number, blockMs: number): Buffer {
  const args = ['COUNT', String(count), 'BLOCK', String(blockMs), 'STREAMS', ...cursors.keys(), ...cursors.values()];
  const written = new Command('XREAD', args).toWritable({});
  return Buffer.isBuffer(written) ? written : Buffer.from(written);
}

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
const streamId = fc.tuple(u64, u64).map(([ms, seq]) => `${ms}-${seq}`);
const topic = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });

describe('XReadEncoder', () => {
  it('writes byte for byte what ioredis writes for the same XREAD (any topic text, ids of every length)', async () => {
    const rounds = fc.uniqueArray(fc.tuple(topic, streamId), { selector: ([t]) => t, minLength: 1, maxLength: 30 });
    await assertWithSeed(
      'XREAD encoding equals ioredis',
      fc.property(rounds, fc.nat({ max: 100_000 }), fc.integer({ min: 1, max: 10_000_000 }), (pairs, count, blockMs) => {
        const cursors = new Map(pairs);
        const encoder = new XReadEncoder();
        expect(encoder.encode(cursors, count, blockMs).equals(ioredisWire(cursors, count, blockMs))).toBe(true);
        // the second round reuses the key segments and must write the same bytes
        expect(encoder.encode(cursors, count, blockMs).equals(ioredisWire(cursors, count, blockMs))).toBe(true);
      }),
      300,
    );
  });

  it('holds key segments for about the topics read lately, not every topic ever read', () => {
    const encoder = new XReadEncoder();
    const round = (name: string, size: number) => new Map(Array.from({ length: size }, (_, i) => [`${name}:t${i}`, '1-0'] as const));
    encoder.encode(round('a', 3_000), 100, 5_000);
    expect(encoder.cachedTopics).toBe(3_000);
    for (let i = 0; i < 5; i++) encoder.encode(round(`small${i}`, 10), 100, 5_000);
    expect(encoder.cachedTopics).toBeLessThanOrEqual(2 * 10 + 1_024);
    // and a round after the cache was pruned still writes what ioredis writes
    const cursors = round('b', 50);
    expect(encoder.encode(cursors, 7, 9).equals(ioredisWire(cursors, 7, 9))).toBe(true);
  });
});
