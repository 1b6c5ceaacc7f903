import { TaskStreamError } from '../domain/errors.js';
import { redactSecrets, sanitizeCause } from '../domain/redaction.js';
import type { LogFields, Logger } from '../ports/logger.js';

function redactValue(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (value instanceof TaskStreamError) return value;
  if (value instanceof Error) return sanitizeCause(value, secrets);
  if (depth > 0 && value !== null && typeof value === 'object') {
    if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth - 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets, depth - 1)]));
  }
  return value;
}

/**
 * `logger` with the given secrets (the backend's URL password, its token) redacted from every
 * message and field (strings, errors, and objects three levels deep), so a line that carries a
 * library's raw text still prints no credential. With no secrets it returns `logger` itself.
 */
export function redactingLogger(logger: Logger, secrets: readonly string[]): Logger {
  if (secrets.length === 0) return logger;
  const wrap =
    (write: (message: string, fields?: LogFields) => void) =>
    (message: string, fields?: LogFields): void =>
      write(redactSecrets(message, secrets), fields === undefined ? undefined : (redactValue(fields, secrets, 3) as LogFields));
  return { debug: wrap(logger.debug.bind(logger)), info: wrap(logger.info.bind(logger)), warn: wrap(logger.warn.bind(logger)), error: wrap(logger.error.bind(logger)) };
}
