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
        expect(encoder.encode(cursors, cursors.keys(), count, blockMs).equals(ioredisWire(cursors, count, blockMs))).toBe(true);
        // the second round reuses the key segments and must write the same bytes
        expect(encoder.encode(cursors, cursors.keys(), count, blockMs).equals(ioredisWire(cursors, count, blockMs))).toBe(true);
      }),
      300,
    );
  });

  it('holds key segments for about the topics read lately, not every topic ever read', () => {
    const encoder = new XReadEncoder();
    const round = (name: string, size: number) => new Map(Array.from({ length: size }, (_, i) => [`${name}:t${i}`, '1-0'] as const));
    const first = round('a', 3_000);
    encoder.encode(first, first.keys(), 100, 5_000);
    expect(encoder.cachedTopics).toBe(3_000);
    for (let i = 0; i < 5; i++) {
      const small = round(`small${i}`, 10);
      encoder.encode(small, small.keys(), 100, 5_000);
    }
    expect(encoder.cachedTopics).toBeLessThanOrEqual(2 * 10 + 1_024);
    // and a round after the cache was pruned still writes what ioredis writes
    const cursors = round('b', 50);
    expect(encoder.encode(cursors, cursors.keys(), 7, 9).equals(ioredisWire(cursors, 7, 9))).toBe(true);
  });

  it('over changing rounds, writes a valid XREAD holding every cursor exactly, idle slots only past any real id, and a bounded number of slots', async () => {
    const ms = fc.bigInt({ min: 10n ** 12n, max: 10n ** 13n - 1n }).map(String);
    const id = fc.oneof(fc.constant('0-0'), fc.tuple(ms, fc.nat({ max: 120 })).map(([m, q]) => `${m}-${q}`));
    const round = fc.dictionary(fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `t${i}`)), id, { minKeys: 1 });
    await assertWithSeed(
      'XREAD rounds',
      fc.property(fc.array(round, { minLength: 1, maxLength: 25 }), fc.array(fc.boolean(), { maxLength: 25 }), (rounds, drops) => {
        const encoder = new XReadEncoder();
        let previous = new Map<string, string>();
        rounds.forEach((cursorsObject, r) => {
          if (drops[r] === true) encoder.dropIdle();
          const cursors = new Map(Object.entries(cursorsObject));
          // exactly the topics the reader would name: added, moved or gone since the last round
          const changed = [...new Set([...previous.keys(), ...cursors.keys()])].filter((t) => previous.get(t) !== cursors.get(t));
          previous = cursors;
          const wire = encoder.encode(cursors, changed, 100, 5_000 + r);
          const args = parseRespArray(wire);
          expect(args.slice(0, 6)).toEqual(['XREAD', 'COUNT', '100', 'BLOCK', String(5_000 + r), 'STREAMS']);
          const rest = args.slice(6);
          const keys = rest.slice(0, rest.length / 2);
          const ids = rest.slice(rest.length / 2);
          expect(new Set(keys).size).toBe(keys.length);
          keys.forEach((key, i) => {
            const held = cursors.get(key);
            if (held !== undefined) expect(ids[i]).toBe(held);
            else expect(ids[i]).toMatch(/^9{13,}-9+$/);
          });
          for (const key of cursors.keys()) expect(keys).toContain(key);
          expect(keys.length).toBeLessThanOrEqual(cursors.size + Math.max(256, cursors.size));
          // and the framing is exactly ioredis's for those arguments
          expect(wire.equals(ioredisWire(new Map(keys.map((k, i) => [k, ids[i]!])), 100, 5_000 + r))).toBe(true);
        });
      }),
      300,
    );
  });

  it('after invalidate() (a round sent another way) the next request holds the current cursors, whatever changed says', () => {
    const encoder = new XReadEncoder();
    const cursors = new Map([['a', '1764765123456-0'], ['b', '1764765123456-1']]);
    encoder.encode(cursors, cursors.keys(), 100, 5_000);
    cursors.set('a', '1764765199999-0');
    cursors.set('b', '1764765199999-1');
    encoder.invalidate();
    expect(parseRespArray(encoder.encode(cursors, [], 100, 5_000)).slice(6)).toEqual(['a', 'b', '1764765199999-0', '1764765199999-1']);
  });

  it('a round with the last round\'s topics keeps their slots; a reader a moment late keeps its slot, idle', () => {
    const encoder = new XReadEncoder();
    const cursors = new Map([['a', '1764765123456-0'], ['b', '1764765123456-1'], ['c', '1764765123999-0']]);
    encoder.encode(cursors, cursors.keys(), 100, 5_000);
    cursors.set('a', '1764765124000-0');
    cursors.delete('b');
    const args = parseRespArray(encoder.encode(cursors, ['a', 'b'], 100, 5_000));
    expect(args.slice(6)).toEqual(['a', 'b', 'c', '1764765124000-0', '9999999999999-9', '1764765123999-0']);
    encoder.dropIdle();
    expect(parseRespArray(encoder.encode(cursors, [], 100, 5_000)).slice(6)).toEqual(['a', 'c', '1764765124000-0', '1764765123999-0']);
  });
});

/** The bulk strings of one RESP array (a request), as text. */
function parseRespArray(wire: Buffer): string[] {
  const text = wire.toString('latin1');
  const lines = (at: number) => text.indexOf('\r\n', at);
  let at = lines(0) + 2;
  const count = Number(text.slice(1, at - 2));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const end = lines(at);
    const length = Number(text.slice(at + 1, end));
    out.push(wire.subarray(end + 2, end + 2 + length).toString('utf8'));
    at = end + 2 + length + 2;
  }
  expect(at).toBe(wire.length);
  return out;
}

