import fc from 'fast-check';
import type { AppendResult, EntryFields, StreamRepository } from '../../ports/stream-repository.js';
import { ConformanceFailure, RULES, ensure, ensureEqual, ensureRejects, show } from '../failure.js';
import { checkProperty } from '../property.js';
import type { ConformanceCheck } from '../types.js';
import { KEEP, readAll } from './support.js';

const M = 'one-terminal';
const RULE = RULES.terminal;
const needsTerminal = (caps: { exactlyOneTerminal: boolean }): string | undefined =>
  caps.exactlyOneTerminal ? undefined : 'backend does not keep one terminal per message (capabilities.exactlyOneTerminal is false)';

/** A probe entry of a message: producer, number within the producer, and whether it is the terminal. */
function entry(producer: string, n: number, terminal: boolean): EntryFields {
  return { producer, n: String(n), kind: terminal ? 'done' : 'delta' };
}

interface Send {
  readonly producer: string;
  readonly message: string;
  /** First entry number; entries `from..from+size-1`, the last one the terminal when `terminal`. */
  readonly from: number;
  readonly size: number;
  readonly terminal: boolean;
  /** Sends `idempotency` (producer id, seq = entry number). */
  readonly idempotent: boolean;
}

function send(repository: StreamRepository, topic: string, s: Send): Promise<AppendResult> {
  const ns = Array.from({ length: s.size }, (_, i) => s.from + i);
  return repository.append({
    topic,
    entries: ns.map((n, i) => entry(s.producer, n, s.terminal && i === ns.length - 1)),
    ...KEEP,
    ...(s.idempotent ? { idempotency: { producerId: s.producer, seqs: ns } } : {}),
    message: { key: s.message, terminal: s.terminal },
  });
}

/** `producer:n:kind` of each stored entry, in stream order. */
async function stored(repository: StreamRepository, topic: string): Promise<string[]> {
  return (await readAll(repository, topic)).map((e) => `${e.fields['producer']}:${e.fields['n']}:${e.fields['kind']}`);
}

export const oneTerminalChecks: readonly ConformanceCheck[] = [
  {
    id: `${M}/nothing-after-terminal`,
    rule: RULE,
    title: 'after a message\'s terminal, any append for it is refused whole with AFTER_TERMINAL (nothing written); other messages and message-less appends go on',
    skipReason: needsTerminal,
    async run(ctx) {
      const topic = ctx.topic();
      const base = { message: '0', idempotent: false } as const;
      await send(ctx.repository, topic, { ...base, producer: 'a', from: 0, size: 2, terminal: false });
      await send(ctx.repository, topic, { ...base, producer: 'a', from: 2, size: 2, terminal: true });
      const before = await stored(ctx.repository, topic);
      const info = await ctx.repository.info(topic);
      await ensureRejects(() => send(ctx.repository, topic, { ...base, producer: 'b', from: 0, size: 1, terminal: false }), 'AFTER_TERMINAL', RULE, 'a delta for message 0 after its terminal');
      await ensureRejects(() => send(ctx.repository, topic, { ...base, producer: 'b', from: 1, size: 3, terminal: true }), 'AFTER_TERMINAL', RULE, 'a second terminal batch (deltas, then done) for message 0');
      await ensureRejects(() => send(ctx.repository, topic, { ...base, producer: 'a', from: 4, size: 1, terminal: false }), 'AFTER_TERMINAL', RULE, 'the same producer writing on after its own terminal');
      ensureEqual(await stored(ctx.repository, topic), before, RULE, 'entries after three refused appends (nothing of a refused batch may be written)');
      ensureEqual((await ctx.repository.info(topic))?.entriesAdded, info?.entriesAdded, RULE, 'entriesAdded after refused appends');
      await send(ctx.repository, topic, { ...base, message: '1', producer: 'b', from: 0, size: 2, terminal: true });
      await ctx.repository.append({ topic, entries: [entry('task', 0, false)], ...KEEP });
      ensureEqual(
        await stored(ctx.repository, topic),
        [...before, 'b:0:delta', 'b:1:done', 'task:0:delta'],
        RULE,
        'message 1 (its own terminal) and a message-less entry after message 0 ended',
      );
    },
  },
  {
    id: `${M}/retry-of-terminal-batch-is-duplicate`,
    rule: RULE,
    title: 'an idempotent retry of the batch that wrote the terminal resolves as duplicates; a retry carrying anything new is refused',
    skipReason: (caps) => needsTerminal(caps) ?? (caps.idempotentAppend ? undefined : 'needs idempotent appends'),
    async run(ctx) {
      const topic = ctx.topic();
      const last = { producer: 'a', message: '0', from: 0, size: 3, terminal: true, idempotent: true } as const;
      const first = await send(ctx.repository, topic, last);
      ensure(first.ids.length === 3, RULE, () => `the terminal batch wrote ${show(first)}`);
      const retry = await send(ctx.repository, topic, last).catch((err: unknown) => {
        throw new ConformanceFailure(RULE, `a retry of the batch that wrote the terminal was refused (${(err as Error).message}); it must resolve as duplicates`, { cause: err });
      });
      ensure(retry.ids.length === 0 && retry.duplicates === 3, RULES.idempotence, () => `a retry of the terminal batch: want 3 duplicates and nothing written, got ${show(retry)}`);
      await ensureRejects(() => send(ctx.repository, topic, { ...last, from: 2, size: 2 }), 'AFTER_TERMINAL', RULE, 'a batch overlapping the terminal with one new entry');
      ensureEqual(await stored(ctx.repository, topic), ['a:0:delta', 'a:1:delta', 'a:2:done'], RULE, 'entries after the retries');
    },
  },
  {
    id: `${M}/record-goes-with-topic`,
    rule: RULE,
    title: 'the terminal record is removed by deleteTopic and expires with the topic',
    skipReason: needsTerminal,
    async run(ctx) {
      const topic = ctx.topic();
      const done = { producer: 'a', message: '0', from: 0, size: 1, terminal: true, idempotent: false } as const;
      await send(ctx.repository, topic, done);
      await ctx.repository.deleteTopic(topic);
      const again = await send(ctx.repository, topic, done);
      ensure(again.ids.length === 1, RULES.deletion, () => `a terminal after deleteTopic was not written: ${show(again)}`);
      if (!ctx.time.controllable) return;
      await ctx.repository.append({ topic, entries: [entry('a', 1, false)], maxLen: 0, ttlSeconds: 5 });
      await ctx.time.pass(6_000);
      ensureEqual(await ctx.repository.info(topic), null, RULES.retention, 'info after the TTL');
      const afterExpiry = await send(ctx.repository, topic, done);
      ensure(afterExpiry.ids.length === 1, RULES.retention, () => `a terminal after the topic expired was not written: ${show(afterExpiry)}`);
    },
  },
  {
    id: `${M}/racing-producers`,
    rule: RULE,
    title: 'producers racing to end one message (with retries): exactly one terminal lands, the others get AFTER_TERMINAL and write nothing, nothing follows it',
    skipReason: needsTerminal,
    async run(ctx) {
      const plan = fc.record({
        producers: fc.array(fc.record({ deltas: fc.nat(4), batch: fc.integer({ min: 1, max: 3 }), idempotent: fc.boolean() }), { minLength: 2, maxLength: 3 }),
        /** Producer to step next; several steps of one round run concurrently. */
        rounds: fc.array(fc.array(fc.nat(3), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
        /** Probability-ish knob: a step re-sends its producer's previous batch first (a retry). */
        retryEvery: fc.integer({ min: 2, max: 5 }),
      });
      await checkProperty(
        RULE,
        fc.asyncProperty(plan, async (p) => {
          const topic = ctx.topic('race');
          type State = { readonly name: string; sent: number; written: number; won: boolean; refused: boolean; previous: Send | undefined; readonly spec: (typeof p.producers)[number] };
          const states: State[] = p.producers.map((spec, i) => ({ name: `p${i}`, sent: 0, written: 0, won: false, refused: false, previous: undefined, spec }));
          // A bystander on another message of the same topic must never be refused.
          const bystander: State = { name: 'other', sent: 0, written: 0, won: false, refused: false, previous: undefined, spec: { deltas: 3, batch: 2, idempotent: true } };
          let stepCount = 0;
          const step = async (s: State, message: string): Promise<void> => {
            const total = s.spec.deltas + 1;
            if (s.refused || s.sent >= total) return;
            const retry = s.previous !== undefined && s.spec.idempotent && ++stepCount % p.retryEvery === 0;
            const size = Math.min(s.spec.batch, total - s.sent);
            const next: Send = retry ? s.previous! : { producer: s.name, message, from: s.sent, size, terminal: s.sent + size === total, idempotent: s.spec.idempotent };
            if (!retry) s.sent += size;
            s.previous = next;
            try {
              const result = await send(ctx.repository, topic, next);
              ensure(result.ids.length + result.duplicates === next.size, RULE, () => `${s.name}: ${next.size} entries sent, ${show(result)} back`);
              ensure(!retry || result.ids.length === 0, RULES.idempotence, () => `${s.name}: a retry wrote ${show(result)}`);
              s.written += result.ids.length;
              if (next.terminal) s.won = true;
            } catch (err) {
              const code = (err as { code?: unknown }).code;
              ensure(code === 'AFTER_TERMINAL' && message === '0', RULE, () => `${s.name} on message ${message}: unexpected ${show({ code, message: (err as Error).message })}`);
              s.refused = true;
            }
          };
          for (const round of p.rounds) {
            // Each producer at most once per round: its own batches stay in order over any transport.
            const racing = [...new Set(round.map((i) => i % states.length))].map((i) => states[i]!);
            await Promise.all([...racing.map((s) => step(s, '0')), step(bystander, '1')]);
          }
          for (const s of [...states, bystander]) while (!s.refused && s.sent < s.spec.deltas + 1) await step(s, s === bystander ? '1' : '0');
          const all = await stored(ctx.repository, topic);
          const own = (name: string): string[] => all.filter((e) => e.startsWith(`${name}:`));
          ensureEqual(own('other').length, 4, RULE, 'entries of a bystander message');
          const race = all.filter((e) => !e.startsWith('other:'));
          const dones = race.filter((e) => e.endsWith(':done'));
          ensure(dones.length === 1, RULE, () => `${dones.length} terminals stored for one message: ${show(race)}`);
          ensure(race[race.length - 1] === dones[0], RULE, () => `entries after the terminal ${dones[0]}: ${show(race)}`);
          const winners = states.filter((s) => s.won);
          ensure(winners.length === 1 && dones[0]!.startsWith(`${winners[0]!.name}:`), RULE, () => `terminal ${dones[0]} stored, but ${show(winners.map((w) => w.name))} saw their terminal batch succeed`);
          for (const s of states) {
            const ns = own(s.name).map((e) => Number(e.split(':')[1]));
            ensureEqual(ns, Array.from({ length: s.written }, (_, i) => i), RULE, `${s.name}'s stored entries (${s.won ? 'winner' : s.refused ? 'refused' : 'unfinished'}), each once, in order`);
            ensure(s.won || s.refused, RULE, () => `${s.name} neither wrote its terminal nor was refused`);
          }
          await ctx.repository.deleteTopic(topic);
        }),
        ctx.numRuns,
      );
    },
  },
];
