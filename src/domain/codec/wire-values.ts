import { TaskStreamError } from '../errors.js';

/** A parsed JSON object from the wire. */
export type WireObject = Record<string, unknown>;

/** Throws the `DECODE_FAILED` error the codec turns into a `decode_error` event. */
export function fail(message: string, cause?: unknown): never {
  throw new TaskStreamError('DECODE_FAILED', message, cause === undefined ? {} : { cause });
}

/** True for a plain JSON object (not an array, not null). */
export function isWireObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, what: string): WireObject {
  if (!isWireObject(value)) fail(`${what} must be a JSON object`);
  return value;
}

export function requireString(obj: WireObject, key: string, what: string): string {
  const value = obj[key];
  if (typeof value !== 'string') fail(`${what}.${key} must be a string`);
  return value;
}

/** agentex declares delta text as `str | None = ""`: absent or null reads as the empty string. */
export function optionalDeltaString(obj: WireObject, key: string, what: string): string {
  const value = obj[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(`${what}.${key} must be a string or null`);
  return value;
}

export function requireNonNegativeInt(obj: WireObject, key: string, what: string): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(`${what}.${key} must be a non-negative integer`);
  }
  return value;
}

export function requirePresent(obj: WireObject, key: string, what: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) fail(`${what}.${key} is missing`);
  return obj[key];
}

/** The entries of `obj` whose keys are not in `known`, or undefined when there are none. */
export function pickExtra(obj: WireObject, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(obj)) {
    if (known.has(key)) continue;
    extra ??= {};
    setField(extra, key, value);
  }
  return extra;
}

/**
 * Copies `source`'s fields onto `target` without going through `__proto__` setters, so a caller
 * field named `__proto__` stays an ordinary key (JSON.parse creates it as one, too).
 */
export function copyFields(target: Record<string, unknown>, source: Readonly<Record<string, unknown>> | undefined): void {
  if (source === undefined) return;
  for (const [key, value] of Object.entries(source)) setField(target, key, value);
}

/** Sets an own, enumerable property, even for the key `__proto__`. */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
