import { TaskStreamError } from '../../domain/errors.js';

/** Deepest nesting the SSE edge forwards (the event object itself is depth 1). */
export const MAX_SSE_JSON_DEPTH = 512;

type Frame =
  | { readonly array: readonly unknown[]; index: number; readonly value: object }
  | { readonly object: Readonly<Record<string, unknown>>; readonly keys: readonly string[]; index: number; wrote: boolean; readonly value: object };

function tooDeep(maxDepth: number): never {
  throw new TaskStreamError('DECODE_FAILED', `payload is nested deeper than ${maxDepth} levels`, { details: { maxDepth } });
}

/** `toJSON` and boxed primitives, as `JSON.stringify` applies them. */
function prepare(value: unknown, key: string): unknown {
  if (typeof value === 'object' && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key) as unknown;
    if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  }
  return value;
}

/** The text of a non-container value; undefined for what JSON cannot hold (undefined, functions, symbols). */
function leaf(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TaskStreamError('INVALID_ARGUMENT', 'a bigint cannot be written as JSON');
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      return undefined;
  }
}

/**
 * `JSON.stringify(value)` without recursion: an explicit stack, so no payload can overflow the
 * call stack however deep it nests (V8's own `JSON.stringify` does, near 4,000 levels). The text
 * is the same as `JSON.stringify` gives. Throws `DECODE_FAILED` beyond `maxDepth` levels and
 * `INVALID_ARGUMENT` for a cycle or a bigint.
 */
export function stringifyJson(value: unknown, maxDepth = MAX_SSE_JSON_DEPTH): string {
  return jsonPieces(value, maxDepth).join('');
}

/** The text of {@link stringifyJson} in pieces, in order (a large string value stays one piece, uncopied). */
export function jsonPieces(value: unknown, maxDepth = MAX_SSE_JSON_DEPTH): string[] {
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = new Set<object>();

  // Writes one value (or opens its container); returns false when it is not JSON (undefined, function).
  const emit = (raw: unknown, key: string): boolean => {
    const item = prepare(raw, key);
    const text = leaf(item);
    if (text !== undefined) {
      out.push(text);
      return true;
    }
    if (typeof item !== 'object' || item === null) return false;
    if (open.has(item)) throw new TaskStreamError('INVALID_ARGUMENT', 'a cycle cannot be written as JSON');
    if (stack.length >= maxDepth) tooDeep(maxDepth);
    open.add(item);
    if (Array.isArray(item)) {
      out.push('[');
      stack.push({ array: item, index: 0, value: item });
    } else {
      out.push('{');
      const object = item as Record<string, unknown>;
      stack.push({ object, keys: Object.keys(object), index: 0, wrote: false, value: item });
    }
    return true;
  };

  if (!emit(value, '')) return ['null'];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if ('array' in top) {
      if (top.index >= top.array.length) {
        out.push(']');
        open.delete(top.value);
        stack.pop();
        continue;
      }
      const i = top.index++;
      if (i > 0) out.push(',');
      if (!emit(top.array[i], String(i))) out.push('null');
      continue;
    }
    if (top.index >= top.keys.length) {
      out.push('}');
      open.delete(top.value);
      stack.pop();
      continue;
    }
    const key = top.keys[top.index++]!;
    const mark = out.length;
    out.push(top.wrote ? `,${JSON.stringify(key)}:` : `${JSON.stringify(key)}:`);
    if (emit(top.object[key], key)) top.wrote = true;
    else out.length = mark;
  }
  return out;
}
