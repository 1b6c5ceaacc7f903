import { Console } from 'node:console';
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import type { LogFields, Logger } from '../../src/ports/logger.js';

/** Every string form a user may turn an error (or any value) into: message, stack, each cause, inspect, console, JSON. */
export function stringForms(value: unknown): Record<string, string> {
  const forms: Record<string, string> = {};
  let depth = 0;
  for (let c: unknown = value; c instanceof Error && depth < 20; c = c.cause, depth++) {
    forms[`cause[${depth}].message`] = String(c.message);
    forms[`cause[${depth}].stack`] = String(c.stack);
    forms[`cause[${depth}].String`] = String(c);
    forms[`cause[${depth}].JSON`] = safeJson(c);
  }
  if (!(value instanceof Error) && value !== null && typeof value === 'object') forms['String'] = String(value);
  forms['inspect'] = inspect(value, { depth: Infinity });
  forms['inspect.showHidden'] = inspect(value, { depth: Infinity, showHidden: true });
  forms['JSON'] = safeJson(value);
  const out = new PassThrough();
  let printed = '';
  out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  new Console({ stdout: out, stderr: out }).error(value);
  new Console({ stdout: out, stderr: out }).log('%o %s %j', value, value, value);
  forms['console'] = printed;
  return forms;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch (err) {
    return `unserializable: ${String(err)}`;
  }
}

/** The names of the forms of `value` in which any of `secrets` occurs (empty when clean). */
export function leaks(value: unknown, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const [form, text] of Object.entries(stringForms(value))) {
    for (const secret of secrets) if (text.includes(secret)) found.push(`${form} contains ${JSON.stringify(secret)}`);
  }
  return found;
}

/** A logger that keeps every line (all levels, fields inspected) for a later {@link leaks} check. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: LogFields) => void lines.push(`${level} ${message} ${inspect(fields, { depth: Infinity })} ${safeJson(fields)}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
