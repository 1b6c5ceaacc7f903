import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { agentexCodec } from '../../../src/domain/codec/agentex-codec.js';
import { DEFAULT_SETTINGS, settingsFromEnv, type CoalesceMode } from '../../../src/domain/config.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { MessageDelta, TaskEvent } from '../../../src/domain/events.js';
import { deltaText } from '../../../src/domain/publisher/delta-merge.js';
import { jsonStringBytes, splitDelta } from '../../../src/domain/publisher/entry-size.js';
import { createPublisher } from '../../../src/defaults.js';
import { assertWithSeed } from './fc-seed.js';

function setup(maxEntryBytes: number, coalesce: CoalesceMode = 'coalesced') {
  const clock = new FakeClock();
  const repository = createMemoryRepository({ clock });
  const publisher = createPublisher({ repository, clock, settings: { maxEntryBytes, coalesce } });
  const events = async (): Promise<TaskEvent[]> => (await repository.read('task:t', '0-0', { count: 100_000 })).map((e) => agentexCodec.decode(e) as TaskEvent);
  const deltas = async (): Promise<MessageDelta[]> => (await events()).flatMap((e) => (e.type === 'delta' ? [e.delta] : []));
  return { clock, repository, publisher, events, deltas };
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** No stored piece starts with the second half of a pair or ends with the first half. */
function expectWholeCodePoints(texts: readonly string[]): void {
  for (const t of texts) {
    if (t.length === 0) continue;
    expect(isLow(t.charCodeAt(0))).toBe(false);
    expect(isHigh(t.charCodeAt(t.length - 1))).toBe(false);
  }
}

/** Every cut between stored pieces that the producer did not make itself falls between code points. */
function expectNoCutInsidePairs(whole: string, stored: readonly string[], sent: readonly string[]): void {
  const offsets = (parts: readonly string[]): Set<number> => {
    const out = new Set<number>();
    let at = 0;
    for (const p of parts) out.add((at += p.length));
    return out;
  };
  const producerCuts = offsets(sent);
  for (const cut of offsets(stored)) {
    if (producerCuts.has(cut)) continue;
    expect(isHigh(whole.charCodeAt(cut - 1)) && isLow(whole.charCodeAt(cut)), `cut at ${cut} splits a surrogate pair`).toBe(false);
  }
}

async function rejection(fn: () => unknown): Promise<TaskStreamError> {
  const err = await Promise.resolve().then(fn).then(() => new Error('expected a rejection'), (e: unknown) => e);
  expect(err).toBeInstanceOf(TaskStreamError);
  return err as TaskStreamError;
}

describe('maxEntryBytes: the publisher splits large deltas and refuses large payloads', () => {
  it('defaults to 1 MiB and reads TASKSTREAM_MAX_ENTRY_BYTES; a bad value is INVALID_CONFIG naming it', () => {
    expect(DEFAULT_SETTINGS.maxEntryBytes).toBe(1_048_576);
    expect(settingsFromEnv({ TASKSTREAM_MAX_ENTRY_BYTES: '4096' }).maxEntryBytes).toBe(4096);
    for (const bad of ['63', '-1', '1e6', 'lots']) {
      let err: unknown;
      try {
        settingsFromEnv({ TASKSTREAM_MAX_ENTRY_BYTES: bad });
      } catch (e) {
        err = e;
      }
      expect(TaskStreamError.is(err, 'INVALID_CONFIG')).toBe(true);
      expect((err as TaskStreamError).details['variable']).toBe('TASKSTREAM_MAX_ENTRY_BYTES');
    }
  });

  it('splits a 3 MB text delta into entries of at most 1 MiB of text that reassemble exactly (default limit)', async () => {
    const { publisher, deltas } = setup(DEFAULT_SETTINGS.maxEntryBytes);
    const text = 'héllo wörld 🌍 '.repeat(200_000);
    const message = publisher.open('t');
    message.delta({ type: 'text', textDelta: text });
    await message.done();
    const texts = (await deltas()).map(deltaText);
    expect(texts.length).toBeGreaterThanOrEqual(3);
    for (const t of texts) expect(jsonStringBytes(t)).toBeLessThanOrEqual(1_048_576);
    expect(texts.join('')).toBe(text);
    expectWholeCodePoints(texts);
  });

  it('stops merging small deltas at the limit in coalesced mode', async () => {
    const { clock, publisher, deltas } = setup(100);
    const message = publisher.open('t');
    for (let i = 0; i < 50; i++) message.delta({ type: 'text', textDelta: 'abcdé' });
    await clock.advance(50);
    await message.done();
    const texts = (await deltas()).map(deltaText);
    expect(texts.length).toBeGreaterThan(2);
    for (const t of texts) expect(jsonStringBytes(t)).toBeLessThanOrEqual(100);
    expect(texts.join('')).toBe('abcdé'.repeat(50));
  });

  it('keeps a tool call id and name on every piece and counts them; refuses a delta whose id and name leave no room', async () => {
    const { publisher, deltas } = setup(128);
    const message = publisher.open('t');
    message.delta({ type: 'tool_request', toolCallId: 'call_1', name: 'search', argumentsDelta: `{"q":"${'x'.repeat(500)}"}` });
    const err = await rejection(() => message.delta({ type: 'tool_request', toolCallId: 'c'.repeat(100), name: 'n'.repeat(30), argumentsDelta: '{}' }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('maxEntryBytes (128');
    await message.done();
    const stored = await deltas();
    expect(stored.length).toBeGreaterThan(3);
    for (const d of stored) {
      expect(d).toMatchObject({ type: 'tool_request', toolCallId: 'call_1', name: 'search' });
      expect(jsonStringBytes(deltaText(d)) + jsonStringBytes('call_1') + jsonStringBytes('search')).toBeLessThanOrEqual(128);
    }
    expect(stored.map(deltaText).join('')).toBe(`{"q":"${'x'.repeat(500)}"}`);
  });

  it('refuses an oversize start, full, done or task event with INVALID_ARGUMENT naming the limit, writing nothing', async () => {
    const { publisher, events } = setup(1024);
    const big = 'x'.repeat(2000);
    const open = await rejection(() => publisher.open('t', { start: { type: 'text', author: 'agent', content: big } }));
    expect(open.code).toBe('INVALID_ARGUMENT');
    expect(open.message).toMatch(/start event is \d+ bytes, over maxEntryBytes \(1024/);
    const message = publisher.open('t');
    const full = await rejection(() => message.full({ type: 'tool_request', author: 'agent', toolCallId: 'c', name: 'n', arguments: { blob: big } }));
    expect(full).toMatchObject({ code: 'INVALID_ARGUMENT', details: { maxEntryBytes: 1024 } });
    expect(message.state).toBe('open');
    expect((await rejection(() => message.done({ blob: big }))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(() => publisher.updateTask('t', 'RUNNING', { blob: big }))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(() => publisher.error('t', big))).code).toBe('INVALID_ARGUMENT');
    expect(await events()).toEqual([]);
    // The message is still usable, and what fits goes through.
    await message.full({ type: 'text', author: 'agent', content: 'ok' });
    await message.done();
    await publisher.updateTask('t', 'COMPLETED');
    expect((await events()).map((e) => e.type)).toEqual(['full', 'done', 'task_updated']);
    await publisher.close();
  });

  it('splitDelta never cuts a surrogate pair, even when the budget ends in the middle of one', () => {
    const pieces = splitDelta({ type: 'text', textDelta: `${'a'.repeat(60)}😀😀😀😀` }, 64);
    expect(pieces.map(deltaText).join('')).toBe(`${'a'.repeat(60)}😀😀😀😀`);
    expectWholeCodePoints(pieces.map(deltaText));
    for (const p of pieces) expect(jsonStringBytes(deltaText(p))).toBeLessThanOrEqual(64);
  });

  it('property: random multi-byte texts sent as random deltas reassemble exactly, each entry within the limit', async () => {
    const unit = fc.oneof(fc.constantFrom('a', 'é', '€', '😀', '"', '\\', '\n', '\u0001', '\u2028', '\ud800'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    await assertWithSeed(
      'maxEntryBytes reassembly',
      fc.asyncProperty(
        fc.array(fc.array(unit, { minLength: 0, maxLength: 100 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 64, max: 300 }),
        fc.constantFrom<CoalesceMode>('off', 'per_token', 'coalesced'),
        async (chunks, maxEntryBytes, coalesce) => {
          const { clock, publisher, deltas } = setup(maxEntryBytes, coalesce);
          const message = publisher.open('t');
          const sent = chunks.map((units) => units.join(''));
          for (const [i, textDelta] of sent.entries()) {
            message.delta({ type: 'text', textDelta });
            if (i % 3 === 2) await clock.advance(50);
          }
          await message.done();
          const texts = (await deltas()).map(deltaText);
          expect(texts.join('')).toBe(sent.join(''));
          for (const t of texts) expect(jsonStringBytes(t)).toBeLessThanOrEqual(maxEntryBytes);
          expectNoCutInsidePairs(sent.join(''), texts, sent);
        },
      ),
      80,
    );
  });
});
