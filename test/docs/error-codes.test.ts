// Every TaskStreamError code is documented in docs/errors.md, and every code is produced somewhere:
// a code that nothing throws (once `UNSUPPORTED`) is not part of the API.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const errorsTs = read('src/domain/errors.ts');
const union = errorsTs.slice(errorsTs.indexOf('export type TaskStreamErrorCode'), errorsTs.indexOf(';', errorsTs.indexOf('export type TaskStreamErrorCode')));
const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('error codes', () => {
  it('reads the code union', () => {
    expect(codes).toContain('INVALID_CONFIG');
    expect(codes.length).toBeGreaterThan(5);
  });

  it('docs/errors.md has one row per code, and no row for a code that does not exist', () => {
    const documented = [...read('docs/errors.md').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!);
    expect([...documented].sort()).toEqual([...codes].sort());
  });

  it('every code is produced by some source file (a lookup set of codes does not count)', () => {
    const code = sources(join(root, 'src'))
      .filter((file) => !file.endsWith('src/domain/errors.ts'))
      .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
      .filter((line) => !line.includes('new Set(') && !/^\s*(\*|\/\/)/.test(line))
      .join('\n');
    expect(codes.filter((c) => !code.includes(`'${c}'`))).toEqual([]);
  });
});
