// Builds the package the way `npm run build` does (tsc, then the `.lua` copy; into a scratch folder) and checks that every
// entry in package.json's "exports" and "bin" exists and loads, so a published package cannot
// point at files the build does not make, and that each entry exports exactly the names listed here.
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

/** Every concrete file an export points at. */
function exportedFiles(): string[] {
  return Object.values(pkg.exports).flatMap((target) => (typeof target === 'string' ? [] : [target.import, target.types]));
}

/**
 * The exact runtime names of every entry: the public surface, listed on purpose. A name added to
 * or dropped from an entry must be added or dropped here too.
 */
const ENTRY_VALUES: Record<string, string[]> = {
  '.': [
    'DEFAULT_RETRY_POLICY', 'DEFAULT_SETTINGS', 'DEFAULT_SUBSCRIBER_TUNING', 'FakeClock', 'MemoryStreamRepository', 'SETTINGS_ENV',
    'TERMINAL_TASK_STATUSES', 'TaskStreamError', 'ZERO_ID', 'agentexCodec', 'checkResumePoint', 'compareStreamIds', 'createMemoryRepository',
    'createPublisher', 'createSubscriber', 'flushMicrotasks', 'formatStreamId', 'isMessageEvent', 'isStreamId', 'maxStreamId',
    'parseResumePoint', 'parseStreamId', 'previousStreamId', 'resolveSettings', 'settingsFromEnv', 'systemClock', 'topicFor', 'validateSettings',
    'REDACTED', 'redactSecrets', 'redactUrl', 'urlSecrets', 'messageKeyOf',
  ],
  './conformance': [
    'ConformanceFailure', 'RULES', 'checkProperty', 'checks', 'conformanceModules', 'defaultNumRuns', 'describeStreamRepositoryConformance',
    'probeCodec', 'runCheck', 'wrapRepository',
  ],
  // The same suite with vitest's describe/it filled in: the one name deliberately in two entries.
  './conformance/vitest': ['describeStreamRepositoryConformance'],
  './container': ['BACKEND_ENV', 'SseEndpoint', 'TYPES', 'configFromEnv', 'createContainer', 'validateConfig'],
  './resumable-stream': ['closeSharedRepositories', 'createResumableStreamContext'],
  './adapters/ioredis': ['IoredisRepository', 'createIoredisRepository'],
  './adapters/upstash': ['UpstashRepository', 'createUpstashRepository'],
  './adapters/http': [
    'SSE_HEADERS', 'createSseHandler', 'formatSseComment', 'formatSseFrame', 'formatSseRetry', 'guardTaskId', 'isSafeTaskId', 'jsonError',
    'resolveSseOptions', 'resumePointOf', 'sendSse', 'sseDataLines', 'sseJson', 'sseResponse', 'toSseSource', 'toWebRequest', 'writeWebResponse',
  ],
};

const built = (distPath: string): string => `${root}${outDir}/${distPath.replace(/^\.\/dist\//, '')}`;

describe('package exports', () => {
  beforeAll(async () => {
    rmSync(`${root}${outDir}`, { recursive: true, force: true });
    await promisify(execFile)(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
    await promisify(execFile)(process.execPath, [`${root}scripts/copy-assets.mjs`, outDir], { cwd: root });
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

  it('lists its subpaths explicitly (no wildcard exposing folders without an index)', () => {
    expect(Object.keys(pkg.exports).filter((subpath) => subpath.includes('*'))).toEqual([]);
    expect(Object.keys(pkg.exports).filter((subpath) => subpath !== './package.json')).toEqual(Object.keys(ENTRY_VALUES));
  });

  it.each(Object.keys(ENTRY_VALUES))('the entry %s loads as plain ESM and exports exactly its listed names', async (subpath) => {
    const target = pkg.exports[subpath] as { import: string };
    const entry = (await import(built(target.import))) as Record<string, unknown>;
    expect(Object.keys(entry).sort()).toEqual([...ENTRY_VALUES[subpath]!].sort());
  });

  it('exports each name from one entry only', () => {
    const seen = new Map<string, string>();
    const twice = Object.entries(ENTRY_VALUES)
      .filter(([subpath]) => subpath !== './conformance/vitest')
      .flatMap(([subpath, names]) =>
      names.flatMap((name) => (seen.has(name) ? [`${name}: ${seen.get(name)} and ${subpath}`] : (seen.set(name, subpath), []))),
    );
    expect(twice).toEqual([]);
  });

  it('the main entry exposes the public API', async () => {
    const entry = (await import(built('./dist/index.js'))) as Record<string, unknown>;
    for (const name of ['createPublisher', 'createSubscriber', 'createMemoryRepository', 'FakeClock', 'TaskStreamError', 'parseStreamId']) {
      expect(typeof entry[name], name).toBe('function');
    }
    expect(typeof (entry['agentexCodec'] as { decode?: unknown }).decode).toBe('function');
  });
});
