import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runServe } from '../../src/cli/serve.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function io(env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr, env }, out: () => out, err: () => err };
}

describe('taskstream serve (CLI)', () => {
  it('prints its usage with --help', async () => {
    const t = io();
    expect(await runServe(['--help'], t.io)).toBe(0);
    expect(t.out()).toContain('--port');
  });

  it.each([[['--port', 'abc']], [['--port', '70000']], [['--agents', '0']], [['--nope']]])('rejects %j with exit code 2', async (argv) => {
    const t = io();
    expect(await runServe(argv, t.io)).toBe(2);
    expect(t.err()).toMatch(/taskstream serve: /);
  });

  it('rejects a bad environment with INVALID_CONFIG naming the variable', async () => {
    await expect(runServe(['--port', '0'], io({ TASKSTREAM_BACKEND: 'mongo' }).io)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { variable: 'TASKSTREAM_BACKEND' },
    });
  });

  it('runs from the real CLI entry: prints its URL, serves the page and SSE, stops on SIGTERM with exit code 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--rate', '200'], {
      cwd: root,
      env: { ...process.env, TASKSTREAM_BACKEND: 'memory' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const match = /listening on (http:\/\/\S+\/)/.exec(out);
          if (match) resolve(match[1]!);
        });
        void exited.then(() => reject(new Error(`serve exited early: ${out} ${err}`)));
      });
      const page = await (await fetch(url)).text();
      expect(page).toContain('new EventSource(');
      const { tasks } = (await (await fetch(`${url}api/run`, { method: 'POST' })).json()) as { tasks: { taskId: string }[] };
      expect(tasks).toHaveLength(3);
      const sse = await fetch(`${url}tasks/${tasks[0]!.taskId}/events`);
      const text = await sse.text(); // ends after the task's terminal status
      expect(text).toContain('event: connected');
      expect(text.match(/^event: done$/gm)).toHaveLength(2);
      expect(text).toMatch(/event: end\n/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('stopping');
  });
});
