import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { Redis } from '@upstash/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUpstashRepository, type UpstashRepositoryOptions } from '../../../src/adapters/upstash/index.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { LogFields, Logger } from '../../../src/ports/logger.js';
import { startUpstashStack, type UpstashStack } from '../../upstash-server/stack.js';

let stack: UpstashStack;
let n = 0;
const topic = (): string => `task:upstash-err-${Date.now().toString(36)}-${n++}`;
const RETRIES = 3;

beforeAll(async () => {
  stack = await startUpstashStack();
});
afterEach(() => stack.server.setFaults(undefined));
afterAll(async () => {
  await stack?.stop();
});

/** A repository whose every log line and error is checked for the token at the end of the test. */
function repoWithAudit(overrides: Partial<UpstashRepositoryOptions> = {}) {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: LogFields) => void lines.push(`${level} ${message} ${inspect(fields, { depth: 5 })}`);
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const repo = createUpstashRepository({
    url: stack.server.url,
    token: stack.server.token,
    logger,
    retry: { retries: RETRIES, baseDelayMs: 1, maxDelayMs: 4 },
    pollMinMs: 1,
    pollMaxMs: 5,
    ...overrides,
  });
  const errors: unknown[] = [];
  const fail = async (promise: Promise<unknown>): Promise<TaskStreamError> => {
    const err = await promise.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TaskStreamError);
    errors.push(err);
    return err as TaskStreamError;
  };
  const assertNoSecret = (secret: string): void => {
    const all = [...lines, ...errors.map((e) => inspect(e, { depth: 10 }))].join('\n');
    expect(all).not.toContain(secret);
  };
  return { repo, lines, fail, assertNoSecret };
}

/** A loopback port nothing listens on (fetch refuses "bad ports" such as 9 before connecting). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

const warnings = (lines: string[]): number => lines.filter((l) => l.startsWith('warn')).length;

describe('Upstash error mapping and bounded retries', () => {
  it('retries 5xx a bounded number of times, then rejects BACKEND_UNAVAILABLE', async () => {
    const { repo, lines, fail, assertNoSecret } = repoWithAudit();
    await repo.tailId(topic()); // the info script is loaded
    stack.server.setFaults({ rate: 1, kinds: ['status-before'] });
    const before = stack.server.stats.requests;
    const err = await fail(repo.tailId(topic()));
    expect(err.code).toBe('BACKEND_UNAVAILABLE');
    expect(err.message).toMatch(/HTTP 503/);
    expect(stack.server.stats.requests - before).toBe(RETRIES + 1);
    expect(warnings(lines)).toBe(RETRIES);
    assertNoSecret(stack.server.token);
    await repo.close();
  });

  it('never retries a failed command (HTTP 400): BACKEND_COMMAND after one request', async () => {
    const { repo, fail } = repoWithAudit();
    const t = topic();
    await new Redis({ url: stack.server.url, token: stack.server.token, enableTelemetry: false }).set(t, 'a string, not a stream');
    await repo.tailId(topic());
    const before = stack.server.stats.requests;
    const err = await fail(repo.info(t));
    expect(err.code).toBe('BACKEND_COMMAND');
    expect(stack.server.stats.requests - before).toBe(1);
    await repo.close();
  });

  it('does not resend a plain append whose answer was lost, but resends an idempotent one, which never writes twice', async () => {
    const { repo, fail } = repoWithAudit();
    const [plain, idem] = [topic(), topic()];
    await repo.tailId(topic());
    await repo.append({ topic: topic(), entries: [{ d: 'load the script' }], maxLen: 0, ttlSeconds: 0 });
    stack.server.setFaults({ rate: 1, kinds: ['status-after'] });
    let before = stack.server.stats.requests;
    expect((await fail(repo.append({ topic: plain, entries: [{ d: 'x' }], maxLen: 0, ttlSeconds: 0 }))).code).toBe('BACKEND_UNAVAILABLE');
    expect(stack.server.stats.requests - before).toBe(1);
    before = stack.server.stats.requests;
    const request = { topic: idem, entries: [{ d: 'a' }, { d: 'b' }], maxLen: 0, ttlSeconds: 0, idempotency: { producerId: 'p', seqs: [1, 2] } };
    expect((await fail(repo.append(request))).code).toBe('BACKEND_UNAVAILABLE');
    expect(stack.server.stats.requests - before).toBe(RETRIES + 1); // each one ran on the server
    stack.server.setFaults(undefined);
    expect(await repo.append(request)).toEqual({ ids: [], duplicates: 2 });
    expect((await repo.read(idem, '0-0')).map((e) => e.fields['d'])).toEqual(['a', 'b']);
    expect((await repo.read(plain, '0-0')).map((e) => e.fields['d'])).toEqual(['x']); // why it was not resent
    await repo.close();
  });

  it('resends even a plain append when the connection was refused (it never left)', async () => {
    const secret = `tok_${Math.random().toString(36).slice(2)}`;
    const { repo, lines, fail, assertNoSecret } = repoWithAudit({ url: `http://127.0.0.1:${await closedPort()}`, token: secret });
    const err = await fail(repo.append({ topic: topic(), entries: [{ d: 'x' }], maxLen: 0, ttlSeconds: 0 }));
    expect(err.code).toBe('BACKEND_UNAVAILABLE');
    expect(warnings(lines)).toBe(RETRIES);
    assertNoSecret(secret);
    await repo.close();
  });

  it('fails only the reader whose key is not a stream when reads share a poll', async () => {
    const { repo, fail } = repoWithAudit();
    const [bad, good] = [topic(), topic()];
    await new Redis({ url: stack.server.url, token: stack.server.token, enableTelemetry: false }).set(bad, 'not a stream');
    const appended = await repo.append({ topic: good, entries: [{ d: 'ok' }], maxLen: 0, ttlSeconds: 0 });
    const [badRead, goodRead] = [fail(repo.read(bad, '0-0')), repo.read(good, '0-0')];
    expect((await badRead).code).toBe('BACKEND_COMMAND');
    expect((await goodRead).map((e) => e.id)).toEqual(appended.ids);
    await repo.close();
  });

  it('rejects every call after close() with CLOSED', async () => {
    const { repo } = repoWithAudit();
    await repo.close();
    await repo.close();
    await expect(repo.tailId(topic())).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(repo.read(topic(), '0-0')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(repo.append({ topic: topic(), entries: [{ d: 'x' }], maxLen: 0, ttlSeconds: 0 })).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('rejects bad options with INVALID_CONFIG naming the setting, never echoing the token', () => {
    const secret = 'tok_should_not_show';
    const attempt = (options: UpstashRepositoryOptions): TaskStreamError => {
      try {
        createUpstashRepository(options);
      } catch (err) {
        expect(inspect(err)).not.toContain(secret);
        return err as TaskStreamError;
      }
      throw new Error('expected INVALID_CONFIG');
    };
    expect(attempt({ url: stack.server.url, token: secret, pollMinMs: 100, pollMaxMs: 10 })).toMatchObject({ code: 'INVALID_CONFIG', details: { variable: 'pollMaxMs' } });
    expect(attempt({ url: 'ftp://x', token: secret, env: {} })).toMatchObject({ code: 'INVALID_CONFIG', details: { variable: 'UPSTASH_REDIS_REST_URL' } });
    expect(attempt({ url: stack.server.url, token: secret, retry: { retries: -1 } })).toMatchObject({ code: 'INVALID_CONFIG' });
  });
});
