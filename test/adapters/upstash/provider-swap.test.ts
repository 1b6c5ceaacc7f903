import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstashStack, type UpstashStack } from '../../upstash-server/stack.js';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../../../examples/provider-swap.ts', import.meta.url));
const EXPECTED_TEXT = 'Hello 👋🏽 true 1 12345678901234567890 {"a":1}\nnext line done.';

let stack: UpstashStack;

beforeAll(async () => {
  stack = await startUpstashStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** Runs the example with only the environment telling it where to go. */
async function runExample(env: Record<string, string>): Promise<{ backend: string; ok: boolean; received: { text: string; dones: number }[] }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TASKSTREAM_') && !k.startsWith('UPSTASH_') && k !== 'REDIS_URL'),
  );
  const { stdout } = await run(process.execPath, ['--import', 'tsx', EXAMPLE], { env: { ...clean, ...env }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('examples/provider-swap.ts runs unchanged on every backend', () => {
  const cases: [string, () => Record<string, string>][] = [
    ['memory', () => ({ TASKSTREAM_BACKEND: 'memory' })],
    ['redis', () => ({ TASKSTREAM_BACKEND: 'redis', REDIS_URL: `redis://${stack.redis.host}:${stack.redis.port}` })],
    [
      'upstash',
      () => ({ TASKSTREAM_BACKEND: 'upstash', UPSTASH_REDIS_REST_URL: stack.server.url, UPSTASH_REDIS_REST_TOKEN: stack.server.token }),
    ],
  ];
  for (const [backend, env] of cases) {
    it(`TASKSTREAM_BACKEND=${backend}`, { timeout: 60_000 }, async () => {
      const before = stack.server.stats.requests;
      const out = await runExample(env());
      expect(out.backend).toBe(backend);
      expect(out.received).toEqual([
        { text: EXPECTED_TEXT, dones: 1 },
        { text: EXPECTED_TEXT, dones: 1 },
      ]);
      expect(out.ok).toBe(true);
      // Only the upstash run goes through the REST server.
      if (backend === 'upstash') expect(stack.server.stats.requests).toBeGreaterThan(before);
      else expect(stack.server.stats.requests).toBe(before);
    });
  }
});
