// maxEntryBytes counts a delta's text as it is written inside a JSON string in UTF-8. These tests
// measure that with an independent oracle (JSON.stringify and Buffer.byteLength), and check that
// the publisher's cuts and merges are tight: a stored delta fits, and it could not have taken the
// next code point (split) or the next delta (merge) without going over.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { agentexCodec } from '../../../src/domain/codec/agentex-codec.js';
import type { CoalesceMode } from '../../../src/domain/config.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { MessageDelta, TaskEvent } from '../../../src/domain/events.js';
import { deltaText } from '../../../src/domain/publisher/delta-merge.js';
import { createPublisher } from '../../../src/defaults.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { assertWithSeed } from './fc-seed.js';

/** Bytes of `text` inside a JSON string, in UTF-8: the oracle. */
const oracle = (text: string): number => Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;

function setup(maxEntryBytes: number, coalesce: CoalesceMode) {
  const clock = new FakeClock();
  const repository = createMemoryRepository({ clock });
  const publisher = createPublisher({ repository, clock, logger: silentLogger, settings: { maxEntryBytes, coalesce, maxBufferedChars: 1_000_000, flushIntervalMs: 50 } });
  const events = async (): Promise<TaskEvent[]> => (await repository.read('task:t', '0-0', { count: 100_000 })).map((e) => agentexCodec.decode(e) as TaskEvent);
  const texts = async (): Promise<string[]> => (await events()).flatMap((e) => (e.type === 'delta' ? [deltaText(e.delta)] : []));
  return { clock, repository, publisher, events, texts };
}

/** The first code point of `text` (a surrogate pair whole). */
const firstCodePoint = (text: string): string => String.fromCodePoint(text.codePointAt(0)!);

/** Pieces fit, and each piece but the last would not fit with the next piece's first code point. */
function expectTightCuts(pieces: readonly string[], max: number): void {
  pieces.forEach((piece, i) => {
    expect(oracle(piece), `piece ${i} fits`).toBeLessThanOrEqual(max);
    const next = pieces[i + 1];
    if (next !== undefined) expect(oracle(piece + firstCodePoint(next)), `piece ${i} is full`).toBeGreaterThan(max);
  });
}

// One sample of every width class, with the code units at the class boundaries.
const SAMPLES: readonly string[] = [
  'a', '\u007f', '\u0080', 'é', '\u07ff', '\u0800', '€', '\ud7ff', '\ue000', '\uffff', '\u2028', '😀',
  '"', '\\', '\b', '\t', '\n', '\f', '\r', '\u0000', '\u0001', '\u000b', '\u001f', ' ',
  '\ud800', '\udbff', '\udc00', '\udfff', '\ud800\udc00', '\ud800\udfff', '\udbff\udfff',
];

describe('maxEntryBytes: a large delta is cut tight, by the JSON-in-UTF-8 size of its text', () => {
  it.each(SAMPLES.map((s) => [JSON.stringify(s), s] as const))('a run of %s', async (_, unit) => {
    const max = 64;
    const { publisher, texts } = setup(max, 'off');
    const text = unit.repeat(100);
    const message = publisher.open('t');
    message.delta({ type: 'text', textDelta: text });
    await message.done();
    const pieces = await texts();
    expect(pieces.join('')).toBe(text);
    expect(pieces.length).toBeGreaterThan(1);
    expectTightCuts(pieces, max);
  });

  it('a lone high surrogate before a character that is not a low one, and at the very end', async () => {
    const max = 64;
    const { publisher, texts } = setup(max, 'off');
    const text = `${'\ud800a\ud800\udbff\ud800\ue000'.repeat(10)}\ud800`;
    const message = publisher.open('t');
    message.delta({ type: 'text', textDelta: text });
    await message.done();
    const pieces = await texts();
    expect(pieces.join('')).toBe(text);
    expectTightCuts(pieces, max);
  });

  it('property: random texts are cut tight (tool call id and name counted too)', async () => {
    const unit = fc.oneof(fc.constantFrom(...SAMPLES), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }));
    await assertWithSeed(
      'maxEntryBytes tight cuts',
      fc.asyncProperty(fc.array(unit, { minLength: 1, maxLength: 200 }), fc.integer({ min: 64, max: 200 }), fc.boolean(), async (units, max, tool) => {
        const { publisher, events } = setup(max, 'off');
        const text = units.join('');
        const message = publisher.open('t');
        const delta: MessageDelta = tool ? { type: 'tool_request', toolCallId: 'call-é', name: 'f"n', argumentsDelta: text } : { type: 'text', textDelta: text };
        message.delta(delta);
        await message.done();
        const meta = tool ? oracle('call-é') + oracle('f"n') : 0;
        const pieces = (await events()).flatMap((e) => (e.type === 'delta' ? [deltaText(e.delta)] : []));
        expect(pieces.join('')).toBe(text);
        expectTightCuts(pieces, max - meta);
      }),
      40,
    );
  });
});

describe('maxEntryBytes: every kind of delta is cut, keeping its kind and its other fields', () => {
  const body = 'dàtä "x" 😀'.repeat(20);
  it.each<MessageDelta>([
    { type: 'data', dataDelta: body },
    { type: 'tool_response', toolCallId: 'call-1', name: 'lookup', contentDelta: body },
    { type: 'reasoning_content', contentIndex: 2, contentDelta: body },
    { type: 'reasoning_summary', summaryIndex: 1, summaryDelta: body },
  ])('$type', async (delta) => {
    const max = 80;
    const { publisher, events } = setup(max, 'off');
    const message = publisher.open('t');
    message.delta(delta);
    await message.done();
    const stored = (await events()).flatMap((e) => (e.type === 'delta' ? [e.delta] : []));
    expect(stored.length).toBeGreaterThan(1);
    const { [Object.keys(delta).find((k) => k.endsWith('Delta'))!]: _text, ...rest } = delta as unknown as Record<string, unknown>;
    for (const piece of stored) expect(piece).toMatchObject(rest);
    const meta = delta.type === 'tool_response' ? oracle('call-1') + oracle('lookup') : 0;
    expectTightCuts(stored.map(deltaText), max - meta);
    expect(stored.map(deltaText).join('')).toBe(body);
  });
});

describe('maxEntryBytes: coalesced deltas merge up to the limit, no further', () => {
  it.each(['a', 'abcdé', '\u0001', '😀', '"\\', 'ab\nc'])('deltas of %j', async (piece) => {
    const max = 100;
    const { clock, publisher, texts } = setup(max, 'coalesced');
    const message = publisher.open('t');
    message.delta({ type: 'text', textDelta: 'first' }); // goes out at once, alone
    for (let i = 0; i < 200; i++) message.delta({ type: 'text', textDelta: piece });
    await clock.advance(50);
    await message.done();
    const [first, ...runs] = await texts();
    expect(first).toBe('first');
    expect(runs.join('')).toBe(piece.repeat(200));
    const perRun = Math.floor(max / oracle(piece));
    expect(runs).toHaveLength(Math.ceil(200 / perRun));
    expect(runs.slice(0, -1).every((run) => run === piece.repeat(perRun))).toBe(true);
    expect(runs.at(-1)!.length).toBeGreaterThan(0);
  });
});

describe('maxEntryBytes: other events are measured whole, in UTF-8 bytes of field names and values', () => {
  it('a done that is exactly the limit is written; one byte over is refused', async () => {
    const fields = { note: 'héllo ñ € 😀 \ud800 "q" \u007f\u0080\u07ff\u0800\uffff\udbff\udfff\udc00' };
    const entry = agentexCodec.encode({ type: 'done', index: 0, seq: 0, fields }, 't');
    const size = Object.entries(entry).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    const over = setup(size - 1, 'off');
    const refused = await over.publisher
      .open('t')
      .done(fields)
      .then(() => undefined, (err: unknown) => err);
    expect(TaskStreamError.is(refused, 'INVALID_ARGUMENT')).toBe(true);
    expect((refused as TaskStreamError).details).toEqual({ bytes: size, maxEntryBytes: size - 1 });
    const exact = setup(size, 'off');
    await exact.publisher.open('t').done(fields);
    expect((await exact.events()).map((e) => e.type)).toEqual(['done']);
  });
});
