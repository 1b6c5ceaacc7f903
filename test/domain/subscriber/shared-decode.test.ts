import { describe, expect, it } from 'vitest';
import { agentexCodec } from '../../../src/domain/codec/index.js';
import type { EventCodec } from '../../../src/domain/codec/event-codec.js';
import { decodeShared, RECENT_DECODE_BYTES, RECENT_DECODES, recentDecodeBytes } from '../../../src/domain/subscriber/shared-decode.js';
import type { StreamEntry } from '../../../src/ports/stream-repository.js';

/** A codec of its own (the cache is per codec) and a decode that counts its calls. */
function counting() {
  const codec: EventCodec = { ...agentexCodec };
  let calls = 0;
  const decode = (_: EventCodec, entry: StreamEntry) => {
    calls++;
    return { type: 'decode_error', error: new Error(entry.id), raw: entry.fields } as never;
  };
  return { codec, decode, calls: () => calls };
}

const entry = (id: string, bytes = 10): StreamEntry => ({ id, fields: { d: 'x'.repeat(bytes - 1) } });

describe('decodeShared: the recent decodes of a codec', () => {
  it('an entry decoded within the last RECENT_DECODES decodes is not decoded again, also when others came after it', () => {
    const { codec, decode, calls } = counting();
    const a = entry('1-0');
    const first = decodeShared(codec, a, decode);
    const b = entry('2-0');
    decodeShared(codec, b, decode);
    expect(decodeShared(codec, a, decode)).toBe(first);
    expect(calls()).toBe(2);
    // RECENT_DECODES - 1 more, wrapping the ring: `a` is still the oldest held
    for (let i = 0; i < RECENT_DECODES - 2; i++) decodeShared(codec, entry(`3-${i}`), decode);
    expect(decodeShared(codec, a, decode)).toBe(first);
    expect(calls()).toBe(RECENT_DECODES);
    // one more pushes `a` out
    decodeShared(codec, entry('4-0'), decode);
    decodeShared(codec, a, decode);
    expect(calls()).toBe(RECENT_DECODES + 2);
  });

  it('holds entries up to exactly RECENT_DECODE_BYTES of fields, drops the oldest beyond, never the newest', () => {
    const { codec, decode, calls } = counting();
    const half = RECENT_DECODE_BYTES / 2;
    const a = entry('1-0', half);
    const b = entry('2-0', half);
    decodeShared(codec, a, decode);
    decodeShared(codec, b, decode);
    expect(recentDecodeBytes(codec)).toBe(RECENT_DECODE_BYTES);
    decodeShared(codec, a, decode);
    expect(calls()).toBe(2); // both held at exactly the budget
    const small = entry('3-0', 10);
    decodeShared(codec, small, decode); // over budget: the oldest (a) goes, b and small stay
    expect(recentDecodeBytes(codec)).toBe(half + 10);
    decodeShared(codec, b, decode);
    decodeShared(codec, small, decode);
    expect(calls()).toBe(3);
    const huge = entry('4-0', RECENT_DECODE_BYTES + 1);
    decodeShared(codec, huge, decode); // alone over budget: held alone
    expect(recentDecodeBytes(codec)).toBe(RECENT_DECODE_BYTES + 1);
    decodeShared(codec, huge, decode);
    expect(calls()).toBe(4);
  });

  it('a codec that decoded nothing holds nothing', () => {
    expect(recentDecodeBytes({ ...agentexCodec })).toBe(0);
  });
});
