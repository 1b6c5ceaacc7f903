import fc from 'fast-check';
import { createPublisher } from '../../defaults.js';
import type { MessageContext, Publisher } from '../../domain/publisher/index.js';
import { createSubscriber } from '../../defaults.js';
import type { SubscriptionItem } from '../../domain/events.js';
import { RULES, ensure, ensureEqual, show } from '../failure.js';
import { checkProperty, historySize } from '../property.js';
import type { CheckContext, ConformanceCheck } from '../types.js';

const M = 'publisher-ordering';
const RULE = RULES.oneDone;

interface MessageScript {
  readonly publisher: number;
  readonly deltas: readonly string[];
  readonly ending: 'done' | 'full' | 'close';
  readonly note: string;
}

interface Script {
  readonly publishers: number;
  readonly coalesce: 'off' | 'per_token' | 'coalesced';
  readonly maxBufferedChars: number;
  readonly messages: readonly MessageScript[];
  /** Message to step next (modulo the count), or -1 to let a flush window pass. */
  readonly schedule: readonly number[];
  /** The live subscriber breaks after this many items and resumes with Last-Event-ID (null: never). */
  readonly reconnectAfter: number | null;
}

const script = (size: fc.SizeForArbitrary): fc.Arbitrary<Script> => fc.record({
  publishers: fc.integer({ min: 1, max: 2 }),
  coalesce: fc.constantFrom('off' as const, 'per_token' as const, 'coalesced' as const),
  maxBufferedChars: fc.integer({ min: 1, max: 16 }),
  messages: fc.array(
    fc.record({
      publisher: fc.nat(1),
      deltas: fc.array(fc.string({ minLength: 1, maxLength: 6, unit: 'grapheme' }), { maxLength: 10, size }),
      ending: fc.constantFrom('done' as const, 'full' as const, 'close' as const),
      note: fc.string({ maxLength: 8 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  schedule: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 40, size }),
  reconnectAfter: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
});

interface Running {
  readonly script: MessageScript;
  readonly context: MessageContext;
  sent: number;
  ending: Promise<void> | undefined;
}

/** Takes the message's next step: its next delta, or its ending once the deltas are out. */
function step(m: Running): void {
  if (m.ending !== undefined) return;
  if (m.sent < m.script.deltas.length) {
    m.context.delta({ type: 'text', textDelta: m.script.deltas[m.sent++]! });
    return;
  }
  const text = m.script.deltas.join('');
  if (m.script.ending === 'done') m.ending = m.context.done({ note: m.script.note });
  else if (m.script.ending === 'full') m.ending = m.context.full({ type: 'text', author: 'agent', content: text }).then(() => m.context.close());
  else m.ending = m.context.close();
}

async function runScript(ctx: CheckContext, s: Script): Promise<void> {
  const taskId = ctx.topic('pub');
  const settings = { keyPrefix: '', maxLen: 0, ttlSeconds: 600, coalesce: s.coalesce, flushIntervalMs: 50, maxBufferedChars: s.maxBufferedChars };
  const subscriber = createSubscriber({ repository: ctx.repository, clock: ctx.time.clock, settings, tuning: { blockMs: ctx.blockMs, pollMinMs: 5, pollMaxMs: 50 } });
  const items: SubscriptionItem[] = [];
  let liveDone = false;
  let reconnectAt = s.reconnectAfter;
  const first = subscriber.open(taskId, { untilTerminal: true });
  await first.ready;
  const consume = async (subscription: AsyncIterable<SubscriptionItem>): Promise<void> => {
    for await (const item of subscription) {
      items.push(item);
      const terminal = item.event.type === 'task_updated' && item.event.status === 'COMPLETED';
      if (reconnectAt !== null && items.length >= reconnectAt && !terminal) {
        reconnectAt = null;
        return consume(subscriber.open(taskId, { untilTerminal: true, lastEventId: item.id }));
      }
    }
    liveDone = true;
  };
  const consuming = consume(first);
  consuming.catch(() => undefined);

  const publishers: Publisher[] = Array.from({ length: s.publishers }, () => createPublisher({ repository: ctx.repository, clock: ctx.time.clock, settings }));
  const running: Running[] = s.messages.map((script, index) => ({
    script,
    context: publishers[script.publisher % s.publishers]!.open(taskId, { index }),
    sent: 0,
    ending: undefined,
  }));
  for (const pick of s.schedule) {
    if (pick < 0) await ctx.time.pass(60);
    else step(running[pick % running.length]!);
  }
  for (const m of running) while (m.ending === undefined) step(m);
  let settled = 0;
  running.forEach((m) => void m.ending!.finally(() => settled++));
  await ctx.time.until(() => settled === running.length, RULE, () => `only ${settled} of ${running.length} messages finished publishing`, 50, 10_000);
  await Promise.all(running.map((m) => m.ending));
  const completed = publishers[0]!.updateTask(taskId, 'COMPLETED');
  await ctx.time.until(() => liveDone, RULE, () => `the live subscriber did not reach the terminal status (${items.length} items)`, 50, 10_000);
  await completed;
  await consuming;
  await Promise.all(publishers.map((p) => p.close()));

  verify(s, items, s.reconnectAfter === null ? 'live subscriber' : `live subscriber reconnecting after ${s.reconnectAfter} items`);
  const replay: SubscriptionItem[] = [];
  const again = subscriber.open(taskId, { lastEventId: '0-0', untilTerminal: true });
  let replayDone = false;
  void (async () => {
    for await (const item of again) replay.push(item);
    replayDone = true;
  })().catch(() => undefined);
  await ctx.time.until(() => replayDone, RULE, () => `a replaying subscriber did not reach the terminal status (${replay.length} items)`, 50, 10_000);
  verify(s, replay, 'subscriber replaying from 0-0');
  await ctx.repository.deleteTopic(taskId);
}

function verify(s: Script, items: readonly SubscriptionItem[], who: string): void {
  const bad = items.filter((i) => i.event.type === 'decode_error' || i.event.type === 'gap');
  ensure(bad.length === 0, RULE, () => `${who} got ${show(bad)}`);
  const last = items[items.length - 1]?.event;
  ensure(last?.type === 'task_updated' && last.status === 'COMPLETED', RULE, () => `${who}: the terminal task_updated is not last (${show(last)})`);
  s.messages.forEach((m, index) => {
    const events = items.flatMap((i) => ('index' in i.event && i.event.index === index ? [i.event] : []));
    const what = `${who}, message ${index} (${m.ending})`;
    const dones = events.filter((e) => e.type === 'done');
    ensure(dones.length === 1, RULE, () => `${what}: ${dones.length} done events (${show(events.map((e) => e.type))})`);
    ensure(events[events.length - 1]?.type === 'done', RULE, () => `${what}: done is not the last event (${show(events.map((e) => e.type))})`);
    const seqs = events.map((e) => e.seq);
    ensure(seqs.every((q, i) => i === 0 || q > seqs[i - 1]!), RULE, () => `${what}: sequence numbers out of order ${show(seqs)}`);
    const text = events.flatMap((e) => (e.type === 'delta' && e.delta.type === 'text' ? [e.delta.textDelta] : [])).join('');
    ensureEqual(text, m.deltas.join(''), RULES.noDrop, `${what}: text of its deltas`);
    const fulls = events.filter((e) => e.type === 'full');
    if (m.ending === 'full') {
      ensure(fulls.length === 1 && events.indexOf(fulls[0]!) === events.length - 2, RULE, () => `${what}: want one full right before done, got ${show(events.map((e) => e.type))}`);
    } else {
      ensure(fulls.length === 0, RULE, () => `${what}: unexpected full`);
    }
    const done = dones[0]!;
    ensureEqual(done.type === 'done' ? done.fields : null, m.ending === 'done' ? { note: m.note } : {}, RULE, `${what}: done fields`);
  });
}

export const publisherOrderingChecks: readonly ConformanceCheck[] = [
  {
    id: `${M}/exactly-one-done-last`,
    rule: RULE,
    title: 'through publisher and subscriber, each message has all its deltas in order, then exactly one done, last',
    async run(ctx) {
      await checkProperty(RULE, fc.asyncProperty(script(historySize(ctx)), (s) => runScript(ctx, s)), ctx.numRuns);
    },
  },
];
