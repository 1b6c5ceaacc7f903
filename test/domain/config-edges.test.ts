// The settings a publisher and subscriber run with: defaults, the environment variables and their
// bounds, and the task id rule of topicFor (src/domain/config.ts).
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SETTINGS_ENV, resolveSettings, settingsFromEnv, topicFor, validateSettings, type StreamSettings } from '../../src/domain/config.js';
import { refusal } from '../helpers/caught.js';

describe('defaults', () => {
  it('are the documented production values, frozen', () => {
    expect(resolveSettings()).toEqual({
      maxLen: 10_000,
      ttlSeconds: 3_600,
      keyPrefix: 'task:',
      coalesce: 'coalesced',
      flushIntervalMs: 50,
      maxBufferedChars: 128,
      maxEntryBytes: 1_048_576,
    });
    expect(settingsFromEnv({})).toEqual(DEFAULT_SETTINGS);
    expect(Object.isFrozen(DEFAULT_SETTINGS)).toBe(true);
  });

  it('resolveSettings overrides only what is given, and ignores undefined', () => {
    expect(resolveSettings({ maxLen: 5, keyPrefix: undefined })).toEqual({ ...DEFAULT_SETTINGS, maxLen: 5 });
    expect(DEFAULT_SETTINGS.maxLen).toBe(10_000);
  });
});

describe('settingsFromEnv', () => {
  const values: Record<keyof StreamSettings, [string, unknown]> = {
    maxLen: [' 7 ', 7],
    ttlSeconds: ['0', 0],
    keyPrefix: [' agent: ', 'agent:'],
    coalesce: ['per_token', 'per_token'],
    flushIntervalMs: ['1', 1],
    maxBufferedChars: ['9', 9],
    maxEntryBytes: ['64', 64],
  };

  it.each(Object.entries(SETTINGS_ENV))('reads %s from %s (trimmed)', (key, variable) => {
    const [raw, expected] = values[key as keyof StreamSettings];
    expect(settingsFromEnv({ [variable]: raw })).toEqual({ ...DEFAULT_SETTINGS, [key]: expected });
  });

  it('falls back to the default for an unset, empty or blank variable', () => {
    expect(settingsFromEnv({ REDIS_STREAM_MAXLEN: '', TASKSTREAM_KEY_PREFIX: '  ', TASKSTREAM_COALESCE: undefined })).toEqual(DEFAULT_SETTINGS);
  });

  it.each([
    ['REDIS_STREAM_MAXLEN', '-1', 0],
    ['REDIS_STREAM_MAXLEN', '1e3', 0],
    ['REDIS_STREAM_MAXLEN', '1.5', 0],
    ['REDIS_STREAM_MAXLEN', '12abc', 0],
    ['REDIS_STREAM_MAXLEN', 'abc12', 0],
    ['REDIS_STREAM_TTL_SECONDS', '0x10', 0],
    ['TASKSTREAM_FLUSH_INTERVAL_MS', 'soon', 1],
    ['TASKSTREAM_MAX_BUFFERED_CHARS', '+5', 1],
    ['TASKSTREAM_MAX_ENTRY_BYTES', '1 MiB', 64],
  ])('refuses %s=%j with INVALID_CONFIG naming the variable and its lower bound', (variable, raw, min) => {
    const err = refusal(() => settingsFromEnv({ [variable]: raw }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toBe(`${variable} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
    expect(err.details).toEqual({ variable, value: raw });
  });

  it.each([
    ['TASKSTREAM_FLUSH_INTERVAL_MS', '0', 1],
    ['TASKSTREAM_MAX_BUFFERED_CHARS', '0', 1],
    ['TASKSTREAM_MAX_ENTRY_BYTES', '63', 64],
  ])('refuses %s=%s below its bound %i', (variable, raw, min) => {
    const err = refusal(() => settingsFromEnv({ [variable]: raw }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toBe(`${variable} must be an integer >= ${min}, got ${raw}`);
    expect(err.details['variable']).toBe(variable);
  });

  it.each([
    ['TASKSTREAM_COALESCE', 'sometimes', 'coalesce must be one of off, per_token, coalesced'],
    ['TASKSTREAM_KEY_PREFIX', 'task *', 'keyPrefix must be a string without spaces, glob characters or braces'],
  ])('names %s (not the setting) when a string setting is refused', (variable, raw, why) => {
    const err = refusal(() => settingsFromEnv({ [variable]: raw }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toBe(`${variable}: ${why}`);
    expect(err.details).toEqual({ variable, value: raw.trim() });
    expect(err.cause).toMatchObject({ code: 'INVALID_CONFIG' });
  });
});

describe('validateSettings', () => {
  it('returns the settings it accepts, at each lower bound', () => {
    const lowest: StreamSettings = { maxLen: 0, ttlSeconds: 0, keyPrefix: '', coalesce: 'off', flushIntervalMs: 1, maxBufferedChars: 1, maxEntryBytes: 64 };
    expect(validateSettings(lowest)).toBe(lowest);
  });

  it.each<[keyof StreamSettings, unknown]>([
    ['maxLen', -1],
    ['ttlSeconds', 1.5],
    ['flushIntervalMs', 0],
    ['maxBufferedChars', 0],
    ['maxEntryBytes', 63],
  ])('refuses %s = %s', (key, value) => {
    const err = refusal(() => validateSettings({ ...DEFAULT_SETTINGS, [key]: value }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.details).toEqual({ variable: key, value });
  });

  it.each([' ', 'a b', 'a*', 'a?', 'a[', 'a]', 'a{', 'a}', '\t', 7, null])('refuses the key prefix %j', (keyPrefix) => {
    const err = refusal(() => validateSettings({ ...DEFAULT_SETTINGS, keyPrefix: keyPrefix as string }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.details).toEqual({ variable: 'keyPrefix', value: keyPrefix });
  });

  it('refuses an unknown coalesce mode and accepts each known one', () => {
    expect(refusal(() => validateSettings({ ...DEFAULT_SETTINGS, coalesce: 'on' as 'off' })).details).toEqual({ variable: 'coalesce', value: 'on' });
    for (const coalesce of ['off', 'per_token', 'coalesced'] as const) expect(validateSettings({ ...DEFAULT_SETTINGS, coalesce }).coalesce).toBe(coalesce);
  });
});

describe('topicFor', () => {
  it('prefixes a task id of 1 to 512 ordinary characters', () => {
    expect(topicFor('t', 'task:')).toBe('task:t');
    expect(topicFor('a'.repeat(512), '')).toBe('a'.repeat(512));
    expect(topicFor('run:2024-01-01/é_ü.x~', 'p:')).toBe('p:run:2024-01-01/é_ü.x~');
  });

  it.each(['', 'a'.repeat(513), 'a b', 'a\tb', 'a*', 'a?', 'a[', 'a]', 'a{', 'a}', 'a\\b', 'a\u0000', 'a\u001f', 'a\u007f', 'a\nb'])(
    'refuses %j with INVALID_ARGUMENT',
    (taskId) => {
      const err = refusal(() => topicFor(taskId, 'task:'));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.details).toEqual({ taskId });
      expect(err.message).toMatch(/^invalid task id /);
    },
  );

  it('refuses a task id that is not a string and shortens a long one in the message', () => {
    expect(refusal(() => topicFor(42 as unknown as string, 'task:')).code).toBe('INVALID_ARGUMENT');
    const message = refusal(() => topicFor(`${'x'.repeat(600)}`, 'task:')).message;
    expect(message).toBe(`invalid task id ${JSON.stringify('x'.repeat(600)).slice(0, 80)}: use 1-512 characters without spaces, braces, glob or control characters`);
  });
});
