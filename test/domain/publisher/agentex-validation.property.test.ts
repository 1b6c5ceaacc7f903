import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentexCodec } from '../../../src/domain/codec/agentex-codec.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { ExtraFields, MessageContent, MessageDelta, TaskEvent } from '../../../src/domain/events.js';
import { agentexSchemaErrors } from '../../fixtures/agentex/agentex-schema.js';
import { callerFieldsCandidate, contentCandidate, deltaCandidate, parentCandidate, statusCandidate, taskFieldsCandidate } from '../../fixtures/agentex/candidates.js';
import { assertWithSeed } from './fc-seed.js';
import { harness, type Harness } from './harness.js';

type Call =
  | { readonly kind: 'open'; readonly start: MessageContent | undefined; readonly parent: ExtraFields | null | undefined }
  | { readonly kind: 'delta'; readonly delta: MessageDelta }
  | { readonly kind: 'full'; readonly content: MessageContent }
  | { readonly kind: 'done'; readonly fields: ExtraFields }
  | { readonly kind: 'updateTask'; readonly status: string; readonly fields: ExtraFields }
  | { readonly kind: 'error'; readonly message: string; readonly fields: ExtraFields };

const callArb: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ kind: fc.constant('open' as const), start: fc.option(contentCandidate, { nil: undefined }), parent: parentCandidate }),
  fc.record({ kind: fc.constant('delta' as const), delta: deltaCandidate }),
  fc.record({ kind: fc.constant('full' as const), content: contentCandidate }),
  fc.record({ kind: fc.constant('done' as const), fields: callerFieldsCandidate }),
  fc.record({ kind: fc.constant('updateTask' as const), status: statusCandidate as fc.Arbitrary<string>, fields: taskFieldsCandidate }),
  fc.record({ kind: fc.constant('error' as const), message: fc.oneof(fc.string(), fc.constant(5 as unknown as string)), fields: callerFieldsCandidate }),
);

/** The events a call would write, as the codec alone would encode them (no publisher validation). */
function eventsOf(call: Call, index: number): TaskEvent[] {
  const base = { index, seq: 0 };
  switch (call.kind) {
    case 'open': {
      const parent = call.parent === undefined ? {} : { parentTaskMessage: call.parent };
      const done: TaskEvent = { type: 'done', ...base, ...parent, fields: {} };
      return call.start === undefined ? [done] : [{ type: 'start', ...base, ...parent, content: call.start }, done];
    }
    case 'delta':
      return [{ type: 'delta', ...base, delta: call.delta }];
    case 'full':
      return [{ type: 'full', ...base, content: call.content }];
    case 'done':
      return [{ type: 'done', ...base, fields: call.fields }];
    case 'updateTask':
      return [{ type: 'task_updated', seq: 0, status: call.status, fields: call.fields }];
    case 'error':
      return [{ type: 'error', seq: 0, message: call.message, fields: call.fields }];
  }
}

/** True when the codec can encode every event of the call and agentex's models accept each result. */
function validForAgentex(call: Call, index: number): boolean {
  return eventsOf(call, index).every((event) => {
    let data: string | undefined;
    try {
      data = agentexCodec.encode(event, 't1')['data'];
    } catch {
      return false;
    }
    return data !== undefined && agentexSchemaErrors(JSON.parse(data)).length === 0;
  });
}

/** Makes the call; undefined when accepted, the error otherwise. */
async function attempt(h: Harness, call: Call, index: number): Promise<unknown> {
  const p = h.publisher;
  try {
    switch (call.kind) {
      case 'open':
        await p.open('t1', { index, start: call.start, parentTaskMessage: call.parent }).close();
        return undefined;
      case 'updateTask':
        await p.updateTask('t1', call.status, call.fields);
        return undefined;
      case 'error':
        await p.error('t1', call.message, call.fields);
        return undefined;
    }
    const ctx = p.open('t1', { index });
    try {
      if (call.kind === 'delta') ctx.delta(call.delta);
      else if (call.kind === 'full') await ctx.full(call.content);
      else await ctx.done(call.fields);
    } finally {
      await ctx.close();
    }
    return undefined;
  } catch (err) {
    return err;
  }
}

describe("publisher: agentex's schema", () => {
  it('accepts exactly the values agentex accepts; rejects the rest with INVALID_ARGUMENT; writes only entries agentex validates (property)', async () => {
    let accepted = 0;
    let rejected = 0;
    await assertWithSeed(
      'agentex-validation',
      fc.asyncProperty(fc.array(callArb, { minLength: 1, maxLength: 6 }), async (calls) => {
        const h = harness();
        const expectedKinds: string[] = [];
        for (const [index, call] of calls.entries()) {
          const valid = validForAgentex(call, index);
          const error = await attempt(h, call, index);
          if (error !== undefined && !TaskStreamError.is(error, 'INVALID_ARGUMENT')) throw error;
          expect(error === undefined, `${call.kind} #${index}: ${error instanceof Error ? error.message : 'accepted'}`).toBe(valid);
          if (error === undefined) {
            accepted++;
            expectedKinds.push(...eventsOf(call, index).map((e) => e.type));
          } else {
            rejected++;
          }
        }
        await h.publisher.close();
        expect(h.errors).toEqual([]);
        const stored = await h.repo.entries('task:t1');
        for (const entry of stored) expect(agentexSchemaErrors(JSON.parse(entry.fields['data']!))).toEqual([]);
        // Nothing accepted went missing (open/delta/full contexts also get their done).
        const kinds = stored.map((e) => (JSON.parse(e.fields['data']!) as { type: string }).type);
        for (const kind of ['start', 'delta', 'full', 'task_updated', 'error']) {
          expect(kinds.filter((k) => k === kind).length, kind).toBe(expectedKinds.filter((k) => k === kind).length);
        }
      }),
      300,
    );
    // Both sides of the rules were exercised.
    expect(accepted).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  }, 60_000);
});
