import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readImportGraph, type SourceFile } from './import-graph.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const STORAGE_ADAPTERS = ['memory', 'ioredis', 'upstash'];

/** `file -> import` for each import of one storage adapter's file from another storage adapter. */
function crossAdapterImports(files: readonly SourceFile[]): string[] {
  const adapterOf = (path: string): string | undefined => STORAGE_ADAPTERS.find((name) => path.startsWith(`src/adapters/${name}/`));
  return files.flatMap((f) => {
    const own = adapterOf(f.path);
    if (own === undefined) return [];
    return f.localImports.filter((i) => adapterOf(i) !== undefined && adapterOf(i) !== own).map((i) => `${f.path} -> ${i}`);
  });
}

describe('storage adapters', () => {
  it('share code only through src/adapters/shared, never by importing each other', () => {
    const files = readImportGraph(`${repoRoot}src/adapters`, repoRoot);
    expect(files.some((f) => f.path.startsWith('src/adapters/shared/'))).toBe(true);
    expect(crossAdapterImports(files)).toEqual([]);
  });

  it('flags an adapter that imports another (the check can fail)', () => {
    const fake = [{ path: 'src/adapters/upstash/repository.ts', localImports: ['src/adapters/ioredis/keys.ts', 'src/adapters/shared/append-script.ts'], packageImports: [] }];
    expect(crossAdapterImports(fake)).toEqual(['src/adapters/upstash/repository.ts -> src/adapters/ioredis/keys.ts']);
  });
});
