import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('systemClock', () => {
  it('a pending timer keeps the process alive until it fires (a waiting reader must not let a script exit)', async () => {
    const script = "import { systemClock } from './src/adapters/clock/system-clock.ts'; systemClock.setTimeout(() => console.log('fired'), 30);";
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../../../', import.meta.url).pathname,
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe('fired');
  });

  it('a cleared timer does not fire and does not hold the process', async () => {
    const script =
      "import { systemClock } from './src/adapters/clock/system-clock.ts'; const h = systemClock.setTimeout(() => console.log('fired'), 60_000); systemClock.clearTimeout(h); console.log('exited');";
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../../../', import.meta.url).pathname,
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe('exited');
  });
});
