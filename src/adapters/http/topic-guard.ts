import { topicFor } from '../../domain/config.js';
import { TaskStreamError } from '../../domain/errors.js';

// Beyond topicFor's rules: path traversal, and every Unicode control, format, separator or
// unassigned code point (U+2028, zero-width and bidi marks), which can disguise a key.
const EXTRA_UNSAFE = /\.\.|[\p{C}\p{Z}]/u;

/**
 * Checks a task id taken from a URL and returns its stream key (`keyPrefix + taskId`). Rejects,
 * with `INVALID_ARGUMENT`, ids that could escape or disguise the key prefix: empty or over 512
 * characters, whitespace, `*` `?` `[` `]` `{` `}` `\`, `..`, and control or invisible characters.
 */
export function guardTaskId(taskId: string, keyPrefix: string): string {
  const topic = topicFor(taskId, keyPrefix);
  if (EXTRA_UNSAFE.test(taskId)) {
    throw new TaskStreamError('INVALID_ARGUMENT', `invalid task id ${JSON.stringify(taskId).slice(0, 80)}: no "..", control or invisible characters`, {
      details: { taskId },
    });
  }
  return topic;
}

/** True when {@link guardTaskId} accepts `taskId`. */
export function isSafeTaskId(taskId: string, keyPrefix = ''): boolean {
  try {
    guardTaskId(taskId, keyPrefix);
    return true;
  } catch {
    return false;
  }
}
