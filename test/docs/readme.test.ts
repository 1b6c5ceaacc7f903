// Every TypeScript block in README.md is a copy of a file that tsc checks (examples/ is in
// tsconfig.json) or of a snippet in a test; this keeps the copies honest and runs the quick start.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const readme = read('README.md');

interface Block {
  readonly marker: string | undefined;
  readonly code: string;
}

function tsBlocks(markdown: string): Block[] {
  return [...markdown.matchAll(/(?:<!-- (\S+: \S+) -->\n)?```ts\n([\s\S]*?)```/g)].map((m) => ({ marker: m[1], code: m[2]! }));
}

/** The Nth `// --- snippet ---` … `// --- end ---` region of a file, dedented. */
function snippet(path: string, n: number): string {
  const regions = [...read(path).matchAll(/\/\/ --- snippet ---\n([\s\S]*?)\s*\/\/ --- end ---/g)].map((m) => m[1]!);
  const region = regions[n - 1];
  if (region === undefined) throw new Error(`${path} has no snippet #${n}`);
  const lines = region.split('\n').filter((line) => line.trim() !== '');
  const indent = Math.min(...lines.map((line) => line.length - line.trimStart().length));
  return `${lines.map((line) => line.slice(indent)).join('\n')}\n`;
}

describe('README', () => {
  const blocks = tsBlocks(readme);

  it('has TypeScript examples, each tied to a checked file', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks.filter((b) => b.marker === undefined).map((b) => b.code)).toEqual([]);
  });

  it.each(tsBlocks(readme).filter((b) => b.marker !== undefined).map((b) => [b.marker!, b.code] as const))('%s matches its source', (marker, code) => {
    const [kind, target] = marker.split(': ') as [string, string];
    if (kind === 'example') {
      expect(code).toBe(read(target));
    } else {
      const [path, n] = target.split('#') as [string, string];
      expect(code).toBe(snippet(path, Number(n)));
    }
  });

  it('gives the two commands after cloning, and CI runs the same test command', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
    expect(read('.ci/run')).toMatch(/^npm test$/m);
  });

  it('CI only installs the packages and runs that test command, whose first step installs the system prerequisites', () => {
    const commands = read('.ci/run')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#') && !/^(set|cd) /.test(line));
    expect(commands).toEqual(['npm ci --no-audit --no-fund', 'npm test']);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['pretest']).toBe('node scripts/ensure-test-prereqs.mjs');
  });

  it('quick start runs and prints that the reader got the whole text', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/readme/quickstart.ts'], {
      cwd: new URL('.', root).pathname,
      timeout: 60_000,
    });
    expect(stdout).toContain('message 0 done at');
    expect(stdout.trim().split('\n').at(-1)).toBe('true');
  });
});
