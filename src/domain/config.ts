import { TaskStreamError } from './errors.js';
import { requireNonNegativeInteger } from './validation.js';

/** How the publisher batches deltas before they reach the backend. */
export type CoalesceMode = 'off' | 'per_token' | 'coalesced';

/** Retention and batching settings shared by publishers and subscribers. */
export interface StreamSettings {
  /** Approximate cap on entries per task stream (`MAXLEN ~`); 0 disables trimming. @default 10000 */
  readonly maxLen: number;
  /** Sliding time-to-live of a task stream in seconds, renewed by every append; 0 disables. @default 3600 */
  readonly ttlSeconds: number;
  /** Prefix of every task stream's key. @default "task:" */
  readonly keyPrefix: string;
  /** Delta batching mode. @default "coalesced" */
  readonly coalesce: CoalesceMode;
  /** Longest a delta waits in the buffer before it is flushed, in ms. @default 50 */
  readonly flushIntervalMs: number;
  /** Buffered characters (Unicode code points) that trigger an immediate flush. @default 128 */
  readonly maxBufferedChars: number;
  /**
   * Largest stream entry the publisher writes, in bytes (at least 64). A delta whose text is
   * larger (measured JSON-escaped in UTF-8, with a tool call's id and name) is split into several
   * deltas that concatenate to it, never inside a code point; a start, full, done or task event
   * whose encoded entry is larger is refused with `INVALID_ARGUMENT`. @default 1048576 (1 MiB)
   */
  readonly maxEntryBytes: number;
}

/** Production defaults. */
export const DEFAULT_SETTINGS: StreamSettings = Object.freeze({
  maxLen: 10_000,
  ttlSeconds: 3_600,
  keyPrefix: 'task:',
  coalesce: 'coalesced',
  flushIntervalMs: 50,
  maxBufferedChars: 128,
  maxEntryBytes: 1_048_576,
});

/** The environment variables {@link settingsFromEnv} reads. */
export const SETTINGS_ENV = {
  maxLen: 'REDIS_STREAM_MAXLEN',
  ttlSeconds: 'REDIS_STREAM_TTL_SECONDS',
  keyPrefix: 'TASKSTREAM_KEY_PREFIX',
  coalesce: 'TASKSTREAM_COALESCE',
  flushIntervalMs: 'TASKSTREAM_FLUSH_INTERVAL_MS',
  maxBufferedChars: 'TASKSTREAM_MAX_BUFFERED_CHARS',
  maxEntryBytes: 'TASKSTREAM_MAX_ENTRY_BYTES',
} as const;

/** Smallest accepted `maxEntryBytes`. */
const MIN_ENTRY_BYTES = 64;

const COALESCE_MODES: readonly CoalesceMode[] = ['off', 'per_token', 'coalesced'];

function parseIntegerVariable(name: string, raw: string, min = 0): number {
  const trimmed = raw.trim();
  if (!/^[0-9]+$/.test(trimmed)) {
    throw new TaskStreamError('INVALID_CONFIG', `${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`, {
      details: { variable: name, value: raw },
    });
  }
  return requireNonNegativeInteger(name, Number(trimmed), min);
}

/** Validates a full settings object; throws `INVALID_CONFIG` naming the first bad field. */
export function validateSettings(settings: StreamSettings): StreamSettings {
  requireNonNegativeInteger('maxLen', settings.maxLen);
  requireNonNegativeInteger('ttlSeconds', settings.ttlSeconds);
  requireNonNegativeInteger('flushIntervalMs', settings.flushIntervalMs, 1);
  requireNonNegativeInteger('maxBufferedChars', settings.maxBufferedChars, 1);
  requireNonNegativeInteger('maxEntryBytes', settings.maxEntryBytes, MIN_ENTRY_BYTES);
  if (typeof settings.keyPrefix !== 'string' || /[\s*?[\]{}]/u.test(settings.keyPrefix)) {
    throw new TaskStreamError('INVALID_CONFIG', 'keyPrefix must be a string without spaces, glob characters or braces', {
      details: { variable: 'keyPrefix', value: settings.keyPrefix },
    });
  }
  if (!COALESCE_MODES.includes(settings.coalesce)) {
    throw new TaskStreamError('INVALID_CONFIG', `coalesce must be one of ${COALESCE_MODES.join(', ')}`, {
      details: { variable: 'coalesce', value: settings.coalesce },
    });
  }
  return settings;
}

/** Merges partial settings over the defaults and validates the result. */
export function resolveSettings(partial: Partial<StreamSettings> = {}): StreamSettings {
  const merged = { ...DEFAULT_SETTINGS };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return validateSettings(merged);
}

/**
 * Reads settings from environment variables ({@link SETTINGS_ENV}), falling back to the defaults
 * for unset or empty ones. A bad value throws `INVALID_CONFIG` whose message and
 * `details.variable` name the environment variable.
 */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): StreamSettings {
  const partial: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(SETTINGS_ENV)) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    if (key === 'keyPrefix' || key === 'coalesce') {
      partial[key] = raw.trim();
    } else {
      partial[key] = parseIntegerVariable(variable, raw, key === 'maxEntryBytes' ? MIN_ENTRY_BYTES : key === 'flushIntervalMs' || key === 'maxBufferedChars' ? 1 : 0);
    }
  }
  try {
    return resolveSettings(partial as Partial<StreamSettings>);
  } catch (err) {
    if (TaskStreamError.is(err, 'INVALID_CONFIG')) {
      const field = String(err.details['variable']) as keyof typeof SETTINGS_ENV;
      const variable = SETTINGS_ENV[field] ?? field;
      throw new TaskStreamError('INVALID_CONFIG', `${variable}: ${err.message}`, { cause: err, details: { variable, value: err.details['value'] } });
    }
    throw err;
  }
}

/** The stream key of a task: `keyPrefix + taskId`. Rejects empty ids and ids with braces, glob or control characters. */
export function topicFor(taskId: string, keyPrefix: string): string {
  if (typeof taskId !== 'string' || taskId.length === 0 || taskId.length > 512 || /[\s*?[\]{}\\\u0000-\u001f\u007f]/u.test(taskId)) {
    throw new TaskStreamError('INVALID_ARGUMENT', `invalid task id ${JSON.stringify(String(taskId)).slice(0, 80)}: use 1-512 characters without spaces, braces, glob or control characters`, {
      details: { taskId },
    });
  }
  return keyPrefix + taskId;
}
