import { readFileSync } from 'node:fs';

const BODY_MARKER = '-- @body\n';

/**
 * The source of a script next to this file (`append.lua`, `append-many.lua`) with its
 * `-- @body` line replaced by `append-body.lua`: both scripts run the same append body, kept in
 * one file. The build copies the `.lua` files into `dist`.
 */
export function appendScriptSource(name: string): string {
  const read = (file: string) => readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
  const source = read(name);
  if (!source.includes(BODY_MARKER)) throw new Error(`${name} has no "-- @body" line`);
  return source.replace(BODY_MARKER, read('append-body.lua'));
}
