// Builds the package the way `npm run build` does (into a scratch folder) and checks that every
// entry in package.json's "exports" and "bin" exists and loads, so a published package cannot
// point at files the build does not make.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const outDir = 'node_modules/.cache/taskstream-build-check';
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<string, string | { types: string; import: string }>;
  bin: Record<string, string>;
};
const ADAPTERS = ['memory', 'ioredis', 'upstash', 'http', 'clock'];

/** Every concrete file an export points at, with `*` expanded over the adapters. */
function exportedFiles(): string[] {
  const files: string[] = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    const names = subpath.includes('*') ? ADAPTERS : [''];
    for (const name of names) files.push(target.import.replace('*', name), target.types.replace('*', name));
  }
  return files;
}

const built = (distPath: string): string => `${root}${outDir}/${distPath.replace(/^\.\/dist\//, '')}`;

describe('package exports', () => {
  beforeAll(async () => {
    rmSync(`${root}${outDir}`, { recursive: true, force: true });
    await promisify(execFile)(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
  }, 120_000);

  it('ioredis and @upstash/redis are optional peer dependencies, so an app installs only the one it uses', () => {
    const manifest = pkg as unknown as Record<string, Record<string, unknown> | undefined>;
    for (const peer of ['ioredis', '@upstash/redis']) {
      expect(manifest['dependencies']?.[peer], peer).toBeUndefined();
      expect(manifest['peerDependencies']?.[peer], peer).toEqual(expect.any(String));
      expect(manifest['peerDependenciesMeta']?.[peer], peer).toEqual({ optional: true });
      expect(manifest['devDependencies']?.[peer], peer).toBe(manifest['peerDependencies']?.[peer]);
    }
  });

  it('every exports and bin target is built', () => {
    const missing = [...exportedFiles(), ...Object.values(pkg.bin)].filter((file) => !existsSync(built(file)));
    expect(missing).toEqual([]);
  });

  it('the main entry loads as plain ESM and exposes the public API', async () => {
    const entry = (await import(built('./dist/index.js'))) as Record<string, unknown>;
    for (const name of ['createPublisher', 'createSubscriber', 'createMemoryRepository', 'FakeClock', 'TaskStreamError', 'parseStreamId']) {
      expect(typeof entry[name], name).toBe('function');
    }
    expect(typeof (entry['agentexCodec'] as { decode?: unknown }).decode).toBe('function');
  });

  it('each adapter entry loads', async () => {
    for (const name of ['memory', 'http', 'clock', 'ioredis', 'upstash']) {
      const mod = (await import(built(`./dist/adapters/${name}/index.js`))) as Record<string, unknown>;
      expect(Object.keys(mod).length, name).toBeGreaterThan(0);
    }
  });
});
