// Loaded before every test file (vitest.config.ts "setupFiles"). redis-memory-server falls back to
// downloading Redis when its system binary (REDISMS_SYSTEM_BINARY, set in vitest.config.ts) is
// missing; here that fallback throws instead, naming what to install, so no test can reach the
// network for a binary.
import { RedisBinary } from 'redis-memory-server';

RedisBinary.getDownloadPath = async () => {
  throw new Error(
    `redis-server not found at ${process.env['REDISMS_SYSTEM_BINARY'] ?? '(REDISMS_SYSTEM_BINARY unset)'}, ` +
      "and taskstream's tests never download Redis: install it (as root: apt-get install -y redis-server), or run npm test, which does",
  );
};
