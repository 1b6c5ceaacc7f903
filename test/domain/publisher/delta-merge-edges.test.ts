import { describe, expect, it } from 'vitest';
import type { MessageDelta } from '../../../src/domain/events.js';
import { canMerge, codePointLength } from '../../../src/domain/publisher/delta-merge.js';

// The coalescing limit counts code points: a pair is one, anything else one per unit.
describe('codePointLength at the surrogate ranges', () => {
  it.each([
    ['\ud800\udc00', 1, 'lowest pair'],
    ['\udbff\udfff', 1, 'highest pair'],
    ['\ud83dx', 2, 'high surrogate then a plain character'],
    ['\ud83d\ud83d', 2, 'two high surrogates'],
    ['\ud7ff\udc00', 2, 'unit below the high range, then a low surrogate'],
    ['\udc00\udc00', 2, 'two low surrogates'],
    ['\ud800\udbff', 2, 'high then high (below the low range)'],
    ['\ud800\ue000', 2, 'high then a unit above the low range'],
    ['\ud800\udbffx', 3, 'two highs then a plain character'],
  ])('%j has %i code points (%s)', (input, expected) => {
    expect(codePointLength(input)).toBe(expected);
  });
});

describe('canMerge by kind', () => {
  const data = (t: string): MessageDelta => ({ type: 'data', dataDelta: t });
  it('merges data with data only', () => {
    expect(canMerge(data('a'), data('b'))).toBe(true);
    expect(canMerge(data('a'), { type: 'text', textDelta: 'b' })).toBe(false);
  });
});
