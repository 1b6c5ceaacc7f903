import fc from 'fast-check';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { encodeSseFrame, formatSseComment, formatSseFrame, formatSseRetry, sseDataLines, sseJson } from '../../../src/adapters/http/sse-frame.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { assertProperty } from './fc-run.js';

const NASTY = ['\n', '\r', '\r\n', '\n\n', '\u2028', '\u2029', '\0', '\ud800', '\udfff', '\ufeff', 'data: x', ': c', '\n\nid: 9-9\nevent: done\ndata: {}\n\n', 'é', '😀', '\u0085'];

const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 5 })), { maxLength: 12 }).map((parts) => parts.join('')),
);

const payload = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nastyString,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const streamId = fc.tuple(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 99n })).map(([ms, seq]) => `${ms}-${seq}`);
const eventName = fc.constantFrom('start', 'delta', 'full', 'done', 'task_updated', 'error', 'gap', 'connected');
const frame = fc.record({ id: streamId, event: eventName, data: payload });

/** Parses SSE text fed in the given chunks (byte splits decoded as a browser would). */
function parse(chunks: readonly Uint8Array[]): { events: EventSourceMessage[]; comments: string[]; retries: number[] } {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = createParser({
    onEvent: (e) => events.push(e),
    onComment: (c) => comments.push(c),
    onRetry: (r) => retries.push(r),
    onError: (err) => {
      throw err;
    },
  });
  const decoder = new TextDecoder();
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
  parser.feed(decoder.decode());
  return { events, comments, retries };
}

/** Splits bytes at the given cut points (anywhere, including inside a UTF-8 sequence). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

describe('SSE framing', () => {
  it('round-trips arbitrary payloads through frame and eventsource-parser, one event per frame, in any chunking', async () => {
    await assertProperty(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (frames, cuts) => {
        const text = formatSseRetry(1000) + frames.map((f) => formatSseFrame(f)).join('') + formatSseComment('keep-alive');
        const parsed = parse(split(new TextEncoder().encode(text), cuts));
        expect(parsed.retries).toEqual([1000]);
        expect(parsed.comments.map((c) => c.trim())).toEqual(['keep-alive']);
        expect(parsed.events).toHaveLength(frames.length);
        frames.forEach((f, i) => {
          const got = parsed.events[i]!;
          expect(got.id).toBe(f.id);
          expect(got.event).toBe(f.event);
          expect(got.data.includes('\n')).toBe(false);
          expect(JSON.stringify(JSON.parse(got.data))).toBe(JSON.stringify(f.data));
        });
      }),
      300,
    );
  });

  it('splits raw text on every line break so it cannot end the frame or inject a field', async () => {
    await assertProperty(
      fc.property(nastyString, (text) => {
        const parsed = parse([new TextEncoder().encode(`event: raw\n${sseDataLines(text)}\n`)]);
        expect(parsed.events).toHaveLength(1);
        expect(parsed.events[0]!.event).toBe('raw');
        const wellFormed = text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
        expect(parsed.events[0]!.data).toBe(wellFormed.replace(/\r\n|\r/g, '\n'));
      }),
      300,
    );
  });

  it('keeps U+2028/U+2029 and lone surrogates escaped inside the JSON', () => {
    const json = sseJson({ a: '\u2028\u2029\ud800\n\r' });
    expect(json).not.toMatch(/[\u2028\u2029\n\r]/);
    expect(json).toContain('\\u2028');
    expect(JSON.parse(json)).toEqual({ a: '\u2028\u2029\ud800\n\r' });
  });

  it('rejects ids and event names that would break the frame', () => {
    expect(() => formatSseFrame({ id: '1-0\nevent: x', data: 1 })).toThrow(TaskStreamError);
    expect(() => formatSseFrame({ id: '1-0\0', data: 1 })).toThrow(TaskStreamError);
    expect(() => formatSseFrame({ event: 'done\ndata: x', data: 1 })).toThrow(TaskStreamError);
    expect(() => formatSseFrame({ event: '', data: 1 })).toThrow(TaskStreamError);
    expect(() => formatSseRetry(-1)).toThrow(TaskStreamError);
  });

  it('writes the fields in SSE syntax', () => {
    expect(formatSseFrame({ id: '5-1', event: 'delta', data: { t: 'a\nb' } })).toBe('id: 5-1\nevent: delta\ndata: {"t":"a\\nb"}\n\n');
    expect(formatSseComment('a\nb')).toBe(': a b\n\n');
  });
});

describe('encodeSseFrame', () => {
  it('gives the UTF-8 bytes of formatSseFrame, small or large (piece by piece), whatever the characters', () => {
    const texts = ['plain', 'é€😀', 'a\u2028b\u2029c', 'lone \ud800 and \udc00', 'x'.repeat(70_000) + '😀é\u2028', '€'.repeat(40_000)];
    for (const text of texts) {
      const frame = { id: '1-0', event: 'delta', data: { type: 'delta', delta: { textDelta: text }, list: [text, { k: text }] } };
      expect(new TextDecoder().decode(encodeSseFrame(frame))).toBe(formatSseFrame(frame));
      expect(encodeSseFrame(frame)).toEqual(new TextEncoder().encode(formatSseFrame(frame)));
    }
  });
});
