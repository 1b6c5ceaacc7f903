// Every integer setting and argument goes through src/domain/validation.ts: one rule (a safe
// integer >= min), one message shape, and the code that says whether a setting or an argument was bad.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { formatSseRetry, resolveSseOptions } from '../../src/adapters/http/index.js';
import { createIoredisRepository } from '../../src/adapters/ioredis/index.js';
import { createMemoryRepository } from '../../src/adapters/memory/index.js';
import { checkReadOptions } from '../../src/adapters/shared/validate-request.js';
import { resolveUpstashOptions } from '../../src/adapters/upstash/options.js';
import { createPublisher, createSubscriber } from '../../src/defaults.js';
import { checkSkip } from '../../src/resumable-stream/settings.js';
import { validateSettings, DEFAULT_SETTINGS } from '../../src/domain/config.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import { requireIntegerArgument, requireNonNegativeInteger } from '../../src/domain/validation.js';
import { silentLogger } from '../helpers/silent-logger.js';

function failure(run: () => unknown): TaskStreamError {
  try {
    run();
  } catch (err) {
    if (err instanceof TaskStreamError) return err;
    throw err;
  }
  throw new Error('expected a TaskStreamError');
}

describe('requireNonNegativeInteger / requireIntegerArgument', () => {
  it.each([
    [0, 0],
    [5, 1],
    [Number.MAX_SAFE_INTEGER, 0],
  ])('accepts %s when min is %s', (value, min) => {
    expect(requireNonNegativeInteger('x', value, min)).toBe(value);
    expect(requireIntegerArgument('x', value, min)).toBe(value);
  });

  it.each([-1, 1.5, Number.NaN, Infinity, 2 ** 53, '3', null, undefined])('rejects %s', (value) => {
    const setting = failure(() => requireNonNegativeInteger('maxLen', value));
    expect(setting.code).toBe('INVALID_CONFIG');
    expect(setting.details).toEqual({ variable: 'maxLen', value });
    const argument = failure(() => requireIntegerArgument('count', value, 0, { topic: 't' }));
    expect(argument.code).toBe('INVALID_ARGUMENT');
    expect(argument.details).toEqual({ topic: 't', count: value });
    expect(argument.message).toMatch(/^count must be an integer >= 0, got /);
  });

  it('names a number as written (NaN stays NaN) and a string quoted', () => {
    expect(failure(() => requireNonNegativeInteger('a', Number.NaN)).message).toBe('a must be an integer >= 0, got NaN');
    expect(failure(() => requireIntegerArgument('b', 'x', 1)).message).toBe('b must be an integer >= 1, got "x"');
  });
});

describe('each integer check in the package uses it', () => {
  const repository = createMemoryRepository({ clock: new FakeClock() });
  const quiet = { logger: silentLogger };
  it.each<[string, () => unknown, 'INVALID_CONFIG' | 'INVALID_ARGUMENT', string]>([
    ['settings', () => validateSettings({ ...DEFAULT_SETTINGS, maxLen: -1 }), 'INVALID_CONFIG', 'maxLen must be an integer >= 0, got -1'],
    ['publisher retry', () => createPublisher({ repository, ...quiet, retry: { maxAttempts: 0 } }), 'INVALID_CONFIG', 'retry.maxAttempts must be an integer >= 1, got 0'],
    ['message index', () => createPublisher({ repository, ...quiet }).open('t', { index: -1 }), 'INVALID_ARGUMENT', 'index must be an integer >= 0, got -1'],
    ['subscriber limit', () => createSubscriber({ repository, ...quiet }).open('t', { limit: 0 }), 'INVALID_ARGUMENT', 'limit must be an integer >= 1, got 0'],
    ['read count', () => checkReadOptions({ count: 1.5 }), 'INVALID_ARGUMENT', 'count must be an integer >= 0, got 1.5'],
    ['memory options', () => createMemoryRepository({ nodeMaxEntries: -2 }), 'INVALID_CONFIG', 'nodeMaxEntries must be an integer >= 0, got -2'],
    ['ioredis options', () => createIoredisRepository({ url: 'redis://127.0.0.1:1', maxBlockMs: 0 }), 'INVALID_CONFIG', 'maxBlockMs must be an integer >= 1, got 0'],
    ['upstash options', () => resolveUpstashOptions({ url: 'https://x.example', token: 't', pollMinMs: 0 }), 'INVALID_CONFIG', 'pollMinMs must be an integer >= 1, got 0'],
    ['SSE options', () => resolveSseOptions({ keepAliveMs: 1.5 }), 'INVALID_CONFIG', 'keepAliveMs must be an integer >= 0, got 1.5'],
    ['SSE retry field', () => formatSseRetry(-5), 'INVALID_ARGUMENT', 'retry must be an integer >= 0, got -5'],
    ['resumable-stream skipCharacters', () => checkSkip(-1), 'INVALID_ARGUMENT', 'skipCharacters must be an integer >= 0, got -1'],
  ])('%s', (_where, run, code, message) => {
    const err = failure(run);
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
  });
});
