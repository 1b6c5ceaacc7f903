import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentexCodec } from '../../src/domain/codec/index.js';
import { deltaToJson, deltaToWire } from '../../src/domain/codec/delta-mapping.js';
import type { DeltaEvent, MessageDelta } from '../../src/domain/events.js';
import { refusal } from '../helpers/caught.js';
import { checkProperty, deltaArb, fieldsArb } from '../fixtures/agentex/arbitraries.js';

// The publisher's per-delta path writes the JSON directly; it must be exactly what JSON.stringify of the wire object gives.
describe('delta JSON written directly (property)', () => {
  it('deltaToJson(delta) is JSON.stringify(deltaToWire(delta)), byte for byte', () => {
    checkProperty(
      fc.property(deltaArb, (delta) => {
        expect(deltaToJson(delta)).toBe(JSON.stringify(deltaToWire(delta)));
      }),
      1000,
    );
  });

  it('a delta event encodes as the generic path would, with or without parentTaskMessage and with an unknown index', () => {
    checkProperty(
      fc.property(deltaArb, fc.integer({ min: -1, max: 2 ** 40 }), fc.option(fc.option(fieldsArb(), { nil: null }), { nil: undefined }), (delta, index, parent) => {
        const event: DeltaEvent = { type: 'delta', index, seq: 3, delta, ...(parent === undefined ? {} : { parentTaskMessage: parent }) };
        const wire: Record<string, unknown> = { type: 'delta', index: index === -1 ? null : index };
        if (parent !== undefined) wire['parent_task_message'] = parent;
        wire['delta'] = deltaToWire(delta);
        expect(agentexCodec.encode(event, 't').data).toBe(JSON.stringify(wire));
      }),
      500,
    );
  });

  it('refuses what deltaToWire refuses, with the same error', () => {
    const bad = [
      { type: 'text', textDelta: 1 },
      { type: 'tool_request', toolCallId: 'c', name: 2, argumentsDelta: '' },
      { type: 'tool_response', toolCallId: 'c', name: 'n', contentDelta: null },
      { type: 'reasoning_summary', summaryIndex: -1, summaryDelta: '' },
      { type: 'reasoning_content', contentIndex: 1.5, contentDelta: '' },
      { type: 'data', dataDelta: undefined },
      { type: 'nope' },
    ] as unknown as MessageDelta[];
    for (const delta of bad) {
      const expected = refusal(() => deltaToWire(delta));
      const direct = refusal(() => deltaToJson(delta));
      expect([direct.code, direct.message]).toEqual([expected.code, expected.message]);
      const viaCodec = refusal(() => agentexCodec.encode({ type: 'delta', index: 0, seq: 0, delta }, 't'));
      expect([viaCodec.code, viaCodec.message]).toEqual([expected.code, expected.message]);
    }
  });

  it('a missing delta is INVALID_ARGUMENT, as on the generic path', () => {
    const event = { type: 'delta', index: 0, seq: 0, delta: undefined } as unknown as DeltaEvent;
    expect(refusal(() => agentexCodec.encode(event, 't')).code).toBe('INVALID_ARGUMENT');
    expect(refusal(() => agentexCodec.encode({ ...event, parentTaskMessage: null }, 't')).code).toBe('INVALID_ARGUMENT');
  });
});
