import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One source file and the files / packages it imports. */
export interface SourceFile {
  readonly path: string;
  readonly localImports: readonly string[];
  readonly packageImports: readonly string[];
}

const IMPORT_PATTERN = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTs(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** Reads every `.ts` file under `root` and resolves its relative imports to repository paths. */
export function readImportGraph(root: string, repoRoot: string): SourceFile[] {
  return listTs(root).map((file) => {
    const text = readFileSync(file, 'utf8');
    const localImports: string[] = [];
    const packageImports: string[] = [];
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const spec = match[1] ?? match[2];
      if (spec === undefined) continue;
      if (spec.startsWith('.')) {
        localImports.push(relative(repoRoot, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
      } else {
        packageImports.push(spec);
      }
    }
    return { path: relative(repoRoot, file), localImports, packageImports };
  });
}

/** Import cycles among the files (each as a list of paths), found by depth-first search. */
export function findCycles(files: readonly SourceFile[]): string[][] {
  const edges = new Map(files.map((f) => [f.path, f.localImports]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next) && edges.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return cycles;
}
