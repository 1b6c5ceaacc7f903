import { TaskStreamError } from './errors.js';

/**
 * The one integer check: a safe integer, at least `min`. Settings and arguments differ only in the
 * code they throw (`INVALID_CONFIG` naming the setting as `details.variable`, or
 * `INVALID_ARGUMENT` with the value under its name), so both go through here.
 */
function requireInteger(
  code: 'INVALID_CONFIG' | 'INVALID_ARGUMENT',
  name: string,
  value: unknown,
  min: number,
  details: Readonly<Record<string, unknown>>,
): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
  const shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  throw new TaskStreamError(code, `${name} must be an integer >= ${min}, got ${shown}`, { details });
}

/**
 * Checks a setting or option: a safe integer, at least `min` (0 unless given).
 * Throws `INVALID_CONFIG` with `details: { variable: name, value }` otherwise.
 */
export function requireNonNegativeInteger(name: string, value: unknown, min = 0): number {
  return requireInteger('INVALID_CONFIG', name, value, min, { variable: name, value });
}

/**
 * Checks a call's argument: a safe integer, at least `min` (0 unless given).
 * Throws `INVALID_ARGUMENT` with `details: { [name]: value, ...context }` otherwise.
 */
export function requireIntegerArgument(name: string, value: unknown, min = 0, context: Readonly<Record<string, unknown>> = {}): number {
  // checked before the details are built: this runs on every append
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
  return requireInteger('INVALID_ARGUMENT', name, value, min, { ...context, [name]: value });
}
