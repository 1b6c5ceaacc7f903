// The pretest step (scripts/ensure-test-prereqs.mjs): its decisions with injected effects, and the
// real script run as a user that cannot install, which must stop quickly with one message.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTestPrereqs, type PrereqDeps } from '../../scripts/test-prereqs.mjs';

const ALL = ['/usr/bin/redis-server', '/usr/bin/redis-cli', '/usr/bin/chromium'];

interface Run {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
}

/** A machine with `present` files, user `uid`, and apt-get that installs `installs` (or fails with `aptFails`). */
function machine(options: { present: string[]; uid?: number; aptGet?: boolean; installs?: string[]; aptFails?: 'update' | 'install' }) {
  const files = new Set(options.present);
  const runs: Run[] = [];
  const deps: PrereqDeps = {
    binDir: '/usr/bin',
    isExecutable: (path) => files.has(path),
    uid: () => options.uid ?? 0,
    which: (command) => (command === 'apt-get' && options.aptGet !== false ? '/usr/bin/apt-get' : undefined),
    exec: async (command, args, env) => {
      runs.push({ command, args, env });
      if (options.aptFails === args[0]) return { code: 100, output: 'E: Unable to locate package chromium\n' };
      if (args[0] === 'install') for (const file of options.installs ?? []) files.add(file);
      return { code: 0, output: '' };
    },
    log: () => undefined,
  };
  return { deps, runs };
}

describe('ensureTestPrereqs', () => {
  it('does nothing when every binary is there', async () => {
    const { deps, runs } = machine({ present: ALL, uid: 1000 });
    expect(await ensureTestPrereqs(deps)).toEqual({ ok: true });
    expect(runs).toEqual([]);
  });

  it('as root with apt-get: one update, then one install of exactly the missing packages, non-interactive', async () => {
    const { deps, runs } = machine({ present: ['/usr/bin/redis-cli'], installs: ALL });
    expect(await ensureTestPrereqs(deps)).toEqual({ ok: true });
    expect(runs.map((r) => r.args[0])).toEqual(['update', 'install']);
    expect(runs[1]!.args).toContain('-y');
    expect(runs[1]!.args.slice(-2)).toEqual(['redis-server', 'chromium']);
    for (const run of runs) {
      expect(run.command).toBe('/usr/bin/apt-get');
      expect(run.env['DEBIAN_FRONTEND']).toBe('noninteractive');
    }
  });

  it('not root: runs nothing and names the binaries and the apt-get line', async () => {
    const { deps, runs } = machine({ present: [], uid: 1000 });
    const outcome = await ensureTestPrereqs(deps);
    expect(runs).toEqual([]);
    expect(outcome.ok).toBe(false);
    const message = outcome.ok ? '' : outcome.message;
    expect(message).toContain('/usr/bin/redis-server, /usr/bin/redis-cli, /usr/bin/chromium');
    expect(message).toContain('not root');
    expect(message).toContain('apt-get install -y redis-server redis-tools chromium');
  });

  it('no apt-get: runs nothing and says so', async () => {
    const { deps, runs } = machine({ present: ['/usr/bin/redis-server', '/usr/bin/redis-cli'], aptGet: false });
    const outcome = await ensureTestPrereqs(deps);
    expect(runs).toEqual([]);
    expect(outcome).toEqual({ ok: false, message: expect.stringContaining('no apt-get') });
    expect(outcome.ok ? '' : outcome.message).toContain('/usr/bin/chromium, which is missing');
  });

  it.each(['update', 'install'] as const)('apt-get %s failing: stops with its error and what to install', async (step) => {
    const { deps, runs } = machine({ present: [], aptFails: step });
    const outcome = await ensureTestPrereqs(deps);
    expect(runs.length).toBe(step === 'update' ? 1 : 2);
    expect(outcome.ok ? '' : outcome.message).toMatch(new RegExp(`apt-get ${step}\` failed \\(exit 100\\): E: Unable to locate package chromium.*apt-get install -y redis-server redis-tools chromium`));
  });

  it('an install that leaves a binary missing is reported, not passed', async () => {
    const { deps } = machine({ present: [], installs: ['/usr/bin/redis-server', '/usr/bin/redis-cli'] });
    const outcome = await ensureTestPrereqs(deps);
    expect(outcome.ok ? '' : outcome.message).toContain('/usr/bin/chromium, which is missing, and apt-get did not put them there');
  });
});

describe('scripts/ensure-test-prereqs.mjs, run for real', () => {
  const script = new URL('../../scripts/ensure-test-prereqs.mjs', import.meta.url).pathname;
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'taskstream-prereqs-'));
    chmodSync(dir, 0o755);
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the script with its binaries looked up in `binDir`; as root it drops to `nobody` (setpriv), so it cannot install. */
  const run = (binDir: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
      const started = Date.now();
      const asRoot = process.getuid?.() === 0;
      const [command, args] = asRoot
        ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, script]]
        : [process.execPath, [script]];
      execFile(command, args, { env: { ...process.env, TASKSTREAM_PREREQ_BIN_DIR: binDir }, timeout: 20_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - started });
      });
    });

  it('as a user that cannot install, with nothing there: exits non-zero within 10 s with one message', async () => {
    const result = await run(tempDir());
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(10_000);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('apt-get install -y redis-server redis-tools chromium');
  });

  it('with every binary there: exits 0 and prints nothing', async () => {
    const dir = tempDir();
    for (const file of ['redis-server', 'redis-cli', 'chromium']) writeFileSync(join(dir, file), '#!/bin/sh\n', { mode: 0o755 });
    const result = await run(dir);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});
