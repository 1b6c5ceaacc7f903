import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInspect } from '../../src/cli/inspect.js';
import { main } from '../../src/cli/main.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const PASSWORD = 'inspect-right-pw';
let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis({ args: ['--requirepass', PASSWORD] });
});
afterAll(async () => {
  await redis?.stop();
});

function io() {
  let err = '';
  const stderr = new PassThrough();
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout: new PassThrough(), stderr, env: {} }, stderr: () => err };
}

async function inspectError(url: string): Promise<TaskStreamError> {
  const err = await runInspect(['--url', url], io().io).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TaskStreamError);
  return err as TaskStreamError;
}

describe('taskstream inspect against a redis-server with requirepass', () => {
  it('a wrong password is BACKEND_AUTH (WRONGPASS), not "Connection is closed", and the password is not printed', async () => {
    const err = await inspectError(`redis://:wrong-pw-123@${redis.host}:${redis.port}`);
    expect(err.code).toBe('BACKEND_AUTH');
    expect(err.message).toMatch(/WRONGPASS/);
    const { io: cli, stderr } = io();
    expect(await main(['inspect', '--url', `redis://:wrong-pw-123@${redis.host}:${redis.port}`], cli)).toBe(1);
    expect(stderr()).toContain('BACKEND_AUTH');
    expect(stderr()).not.toContain('wrong-pw-123');
  });

  it('no password at all is BACKEND_AUTH (NOAUTH)', async () => {
    const err = await inspectError(`redis://${redis.host}:${redis.port}`);
    expect(err.code).toBe('BACKEND_AUTH');
  });

  it('the right password works', async () => {
    const code = await runInspect(['--url', `redis://:${PASSWORD}@${redis.host}:${redis.port}`], io().io);
    expect(code).toBe(0);
  });
});
