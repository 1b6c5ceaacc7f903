import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { StreamSettings } from '../../../src/domain/config.js';
import type { ExtraFields, MessageDelta, MessageEvent } from '../../../src/domain/events.js';
import type { MessageContext } from '../../../src/domain/publisher/message-context.js';
import { assertWithSeed } from './fc-seed.js';
import { harness } from './harness.js';

type Op =
  | { kind: 'delta'; ctx: number; delta: MessageDelta }
  | { kind: 'full'; ctx: number }
  | { kind: 'close'; ctx: number }
  | { kind: 'abort'; ctx: number }
  | { kind: 'done'; ctx: number; fields: ExtraFields }
  | { kind: 'advance'; ms: number }
  | { kind: 'fail'; count: number; mode: 'before' | 'after' }
  | { kind: 'hold' }
  | { kind: 'release' };

const piece = fc.array(fc.constantFrom('a', 'b', '😀', 'é', ' ', 'xyz', ''), { maxLength: 3 }).map((p) => p.join(''));
const delta: fc.Arbitrary<MessageDelta> = fc.oneof(
  { weight: 3, arbitrary: piece.map((t): MessageDelta => ({ type: 'text', textDelta: t })) },
  fc.record({ i: fc.integer({ min: 0, max: 1 }), t: piece }).map(({ i, t }): MessageDelta => ({ type: 'reasoning_summary', summaryIndex: i, summaryDelta: t })),
  fc.record({ id: fc.constantFrom('c1', 'c2'), t: piece }).map(({ id, t }): MessageDelta => ({ type: 'tool_request', toolCallId: id, name: 'f', argumentsDelta: t })),
);
const ctx = fc.integer({ min: 0, max: 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('delta' as const), ctx, delta }) },
  fc.record({ kind: fc.constant('full' as const), ctx }),
  fc.record({ kind: fc.constant('close' as const), ctx }),
  fc.record({ kind: fc.constant('abort' as const), ctx }),
  fc.record({ kind: fc.constant('done' as const), ctx, fields: fc.record({ n: fc.integer({ min: 0, max: 9 }) }) }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 120 }) }) },
  fc.record({ kind: fc.constant('fail' as const), count: fc.integer({ min: 1, max: 3 }), mode: fc.constantFrom('before' as const, 'after' as const) }),
  fc.record({ kind: fc.constant('hold' as const) }),
  fc.record({ kind: fc.constant('release' as const) }),
);
const settings = fc.record({
  coalesce: fc.constantFrom('off' as const, 'per_token' as const, 'coalesced' as const),
  flushIntervalMs: fc.integer({ min: 1, max: 100 }),
  maxBufferedChars: fc.integer({ min: 1, max: 20 }),
});

interface Model {
  state: 'open' | 'full' | 'done';
  closed: boolean;
  deltas: MessageDelta[];
  full: boolean;
  doneFields: ExtraFields | undefined;
}

const channel = (d: MessageDelta): string =>
  d.type === 'text' ? 'text' : d.type === 'reasoning_summary' ? `s${d.summaryIndex}` : d.type === 'tool_request' ? `t${d.toolCallId}` : d.type;
const textOfDelta = (d: MessageDelta): string =>
  d.type === 'text' ? d.textDelta : d.type === 'reasoning_summary' ? d.summaryDelta : d.type === 'tool_request' ? d.argumentsDelta : '';

/** Consecutive pieces of one channel joined: what any merging of the deltas must preserve. */
function collapse(deltas: readonly MessageDelta[]): [string, string][] {
  const out: [string, string][] = [];
  for (const d of deltas) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === channel(d)) last[1] += textOfDelta(d);
    else out.push([channel(d), textOfDelta(d)]);
  }
  return out;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return TaskStreamError.is(err) ? err.code : 'untyped';
  }
}

interface Run {
  readonly h: ReturnType<typeof harness>;
  readonly models: Model[];
  /** Accepted full/done/close promises (may reject PUBLISH_FAILED); refusals are already checked. */
  readonly outcomes: PromiseSettledResult<unknown>[];
}

/** Plays `ops` on two messages (tasks t0, t1), checking each refusal against the model, then closes both and lets everything settle. */
async function play(s: Partial<StreamSettings>, ops: readonly Op[], maxAttempts: number): Promise<Run> {
  const h = harness(s, { retry: { maxAttempts, baseDelayMs: 10, maxDelayMs: 40 } });
  const controllers = [new AbortController(), new AbortController()];
  const contexts: MessageContext[] = [0, 1].map((i) => h.publisher.open(`t${i}`, { signal: controllers[i]!.signal }));
  const models: Model[] = [0, 1].map(() => ({ state: 'open', closed: false, deltas: [], full: false, doneFields: undefined }));
  const accepted: Promise<unknown>[] = [];
  const refused: Promise<unknown>[] = [];
  let release: (() => void) | undefined;
  const expectRefusal = (p: Promise<void>, code: string): void => {
    refused.push(p.then(() => expect.fail(`expected ${code}`), (e: unknown) => expect((e as TaskStreamError).code).toBe(code)));
  };
  const closeModel = (m: Model): void => {
    m.closed = true;
    if (m.state !== 'done') {
      m.state = 'done';
      m.doneFields = {};
    }
  };
  for (const o of ops) {
    if (o.kind === 'advance') await h.clock.advance(o.ms);
    else if (o.kind === 'fail') h.repo.failNext(o.count, o.mode);
    else if (o.kind === 'hold') release ??= h.repo.hold();
    else if (o.kind === 'release') {
      release?.();
      release = undefined;
    } else {
      const c = contexts[o.ctx]!;
      const m = models[o.ctx]!;
      const refusal = m.closed ? 'CLOSED' : undefined;
      if (o.kind === 'delta') {
        const expected = refusal ?? (m.state !== 'open' ? 'AFTER_TERMINAL' : undefined);
        expect(codeOf(() => c.delta(o.delta))).toBe(expected);
        if (expected === undefined) m.deltas.push(o.delta);
      } else if (o.kind === 'full') {
        const expected = refusal ?? (m.state !== 'open' ? 'AFTER_TERMINAL' : undefined);
        const p = c.full({ type: 'text', author: 'agent', content: 'whole' });
        if (expected === undefined) {
          m.state = 'full';
          m.full = true;
          accepted.push(p);
        } else expectRefusal(p, expected);
      } else if (o.kind === 'done') {
        const expected = refusal ?? (m.state === 'done' ? 'AFTER_TERMINAL' : undefined);
        const p = c.done(o.fields);
        if (expected === undefined) {
          m.state = 'done';
          m.doneFields = o.fields;
          accepted.push(p);
        } else expectRefusal(p, expected);
      } else if (o.kind === 'close') {
        closeModel(m);
        accepted.push(c.close());
      } else {
        if (m.state !== 'done') closeModel(m);
        controllers[o.ctx]!.abort();
      }
    }
  }
  release?.();
  for (const c of contexts) accepted.push(c.close());
  for (const m of models) closeModel(m);
  const outcomes = Promise.allSettled(accepted);
  await h.clock.runAll();
  await Promise.all(refused);
  return { h, models, outcomes: await outcomes };
}

/** Concatenated text per channel. */
function perChannel(deltas: readonly MessageDelta[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of deltas) out.set(channel(d), (out.get(channel(d)) ?? '') + textOfDelta(d));
  return out;
}

describe('message context: random interleavings', () => {
  it('every delta before the terminal, exactly one done last with the caller fields, text preserved, no duplicate', async () => {
    const property = fc.asyncProperty(settings, fc.array(op, { minLength: 1, maxLength: 60, size: 'max' }), async (s, ops) => {
      // More attempts than the ops can inject failures: nothing may fail for good here.
      const { h, models, outcomes } = await play(s, ops, 1_000);
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(h.errors).toEqual([]);
      expect(h.clock.pendingCount).toBe(0);
      expect(h.repo.maxConcurrentPerTopic).toBe(1);
      for (const i of [0, 1]) {
        const m = models[i]!;
        const events = (await h.message(0, `t${i}`)) as MessageEvent[];
        expect(events.map((e) => e.seq)).toEqual(events.map((_, k) => k));
        expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
        expect(events.at(-1)).toEqual(expect.objectContaining({ type: 'done', fields: m.doneFields }));
        const fullAt = events.findIndex((e) => e.type === 'full');
        expect(fullAt >= 0).toBe(m.full);
        if (fullAt >= 0) expect(events.slice(fullAt + 1).map((e) => e.type)).toEqual(['done']);
        const published = events.flatMap((e) => (e.type === 'delta' ? [e.delta] : []));
        expect(collapse(published)).toEqual(collapse(m.deltas));
        if (s.coalesce !== 'coalesced') expect(published).toEqual(m.deltas);
      }
    });
    await assertWithSeed('publisher interleavings', property, 300);
  });

  it('when retries run out: PUBLISH_FAILED surfaces, what was published is a gap-free prefix, never a done before its deltas', async () => {
    const failOp: fc.Arbitrary<Op> = fc.record({ kind: fc.constant('fail' as const), count: fc.integer({ min: 1, max: 12 }), mode: fc.constantFrom('before' as const, 'after' as const) });
    const ops = fc.array(fc.oneof({ weight: 4, arbitrary: op }, failOp), { minLength: 1, maxLength: 60, size: 'max' });
    const property = fc.asyncProperty(settings, ops, async (s, list) => {
      const { h, models, outcomes } = await play(s, list, 3);
      for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as TaskStreamError).code).toBe('PUBLISH_FAILED');
      expect(h.clock.pendingCount).toBe(0);
      expect(h.repo.maxConcurrentPerTopic).toBe(1);
      for (const i of [0, 1]) {
        const m = models[i]!;
        const events = (await h.message(0, `t${i}`)) as MessageEvent[];
        expect(events.map((e) => e.seq)).toEqual(events.map((_, k) => k));
        const doneAt = events.findIndex((e) => e.type === 'done');
        const published = events.flatMap((e) => (e.type === 'delta' ? [e.delta] : []));
        const sent = perChannel(m.deltas);
        for (const [key, text] of perChannel(published)) expect(sent.get(key)?.startsWith(text)).toBe(true);
        if (doneAt >= 0) {
          expect(doneAt).toBe(events.length - 1);
          expect(collapse(published)).toEqual(collapse(m.deltas));
          expect(events[doneAt]).toEqual(expect.objectContaining({ fields: m.doneFields }));
        }
      }
      const failedProducers = new Set(h.errors.map((e) => e.details['producerId']));
      expect(failedProducers.size).toBe(h.errors.length);
      if (outcomes.some((o) => o.status === 'rejected')) expect(h.errors.length).toBeGreaterThan(0);
    });
    await assertWithSeed('publisher interleavings with exhausted retries', property, 200);
  });
});
