import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, readImportGraph } from './import-graph.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const files = readImportGraph(`${repoRoot}src`, repoRoot);

describe('layering', () => {
  it('reads the source tree', () => {
    expect(files.some((f) => f.path.startsWith('src/domain/'))).toBe(true);
  });

  it('keeps the domain free of adapters, conformance and I/O packages', () => {
    const offenders = files
      .filter((f) => f.path.startsWith('src/domain/'))
      .flatMap((f) => [
        ...f.localImports.filter((i) => !i.startsWith('src/domain/') && !i.startsWith('src/ports/')).map((i) => `${f.path} -> ${i}`),
        ...f.packageImports.map((p) => `${f.path} -> ${p}`),
      ]);
    expect(offenders).toEqual([]);
  });

  it('keeps the ports free of everything but domain types', () => {
    const offenders = files
      .filter((f) => f.path.startsWith('src/ports/'))
      .flatMap((f) => [...f.localImports.filter((i) => !i.startsWith('src/domain/') && !i.startsWith('src/ports/')), ...f.packageImports]);
    expect(offenders).toEqual([]);
  });

  it('keeps every adapter free of the container and the CLI (applications sit on top of adapters)', () => {
    const above = ['src/container/', 'src/container.ts', 'src/cli/'];
    const offenders = files
      .filter((f) => f.path.startsWith('src/adapters/'))
      .flatMap((f) => f.localImports.filter((i) => above.some((a) => i.startsWith(a))).map((i) => `${f.path} -> ${i}`));
    expect(offenders).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(findCycles(files)).toEqual([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const fake = [
      { path: 'src/domain/a.ts', localImports: ['src/domain/b.ts'], packageImports: [] },
      { path: 'src/domain/b.ts', localImports: ['src/domain/a.ts'], packageImports: [] },
    ];
    expect(findCycles(fake)).toEqual([['src/domain/a.ts', 'src/domain/b.ts', 'src/domain/a.ts']]);
  });
});
