import { inspect } from 'node:util';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUpstashRepository } from '../../../src/adapters/upstash/index.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { LogFields, Logger } from '../../../src/ports/logger.js';
import { startUpstashStack, type UpstashStack } from '../../upstash-server/stack.js';

let stack: UpstashStack;
let n = 0;
const topic = (): string => `held:${Date.now()}:${n++}`;
const KEEP = { maxLen: 0, ttlSeconds: 0 };
/** Generous: the machine running the suite may be loaded. */
const WAIT = { timeout: 10_000, interval: 10 };

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: LogFields) => void lines.push(`${level} ${message} ${inspect(fields, { depth: 5 })}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

beforeAll(async () => {
  stack = await startUpstashStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('Upstash held reads (XREAD … BLOCK) through the local REST server', () => {
  it('holds one request for 60 waiting readers on 6 topics, wakes the readers of the appended topic, and stops holding when they leave', async () => {
    const repo = createUpstashRepository({ url: stack.server.url, token: stack.server.token, readMode: 'block' });
    expect(repo.capabilities.blockingReads).toBe(true);
    const topics = Array.from({ length: 6 }, topic);
    const controller = new AbortController();
    const reads = Array.from({ length: 60 }, (_, i) =>
      repo.read(topics[i % 6]!, '0-0', { blockMs: 30_000, count: 10, signal: controller.signal }),
    );
    await vi.waitFor(() => expect(stack.server.blocking.held).toBe(1), WAIT);
    expect(repo.heldStats.requests).toBe(1);
    const { ids } = await repo.append({ topic: topics[2]!, entries: [{ d: 'x' }], ...KEEP });
    const woken = await Promise.all(reads.filter((_, i) => i % 6 === 2));
    for (const entries of woken) expect(entries.map((e) => e.id)).toEqual(ids);
    await vi.waitFor(() => expect(repo.heldStats.requests).toBe(2), WAIT); // the next round, for the 50 still waiting
    await vi.waitFor(() => expect(stack.server.blocking.held).toBe(1), WAIT);
    controller.abort();
    for (const entries of await Promise.all(reads)) expect(entries.length).toBeLessThanOrEqual(1);
    await vi.waitFor(() => expect(stack.server.blocking.held).toBe(0), WAIT); // nobody waits: nothing held
    await repo.close();
  });

  it('a read that joins with a new topic re-issues the held request; nothing is lost or repeated (through a user-supplied @upstash/redis client too)', async () => {
    const client = new Redis({ url: stack.server.url, token: stack.server.token, enableTelemetry: false });
    for (const repo of [
      createUpstashRepository({ url: stack.server.url, token: stack.server.token, readMode: 'block' }),
      createUpstashRepository({ client, readMode: 'block' }),
    ]) {
      const [a, b] = [topic(), topic()];
      const freed = stack.server.blocking.freedByAbort;
      const first = repo.read(a, '0-0', { blockMs: 30_000, count: 10 });
      await vi.waitFor(() => expect(stack.server.blocking.held).toBe(1), WAIT);
      await repo.append({ topic: b, entries: [{ d: 'b1' }], ...KEEP });
      const second = await repo.read(b, '0-0', { blockMs: 30_000, count: 10 });
      expect(second.map((e) => e.fields['d'])).toEqual(['b1']);
      expect(repo.heldStats.interrupts).toBeGreaterThanOrEqual(1);
      await vi.waitFor(() => expect(stack.server.blocking.freedByAbort).toBeGreaterThan(freed), WAIT); // the server let go of the aborted one
      // Raw strings through held reads too (no automatic deserialization, even on the user's client).
      const tricky = ['true', '12345678901234567890123', '{"a":1}', 'é👋\n'];
      await repo.append({ topic: a, entries: tricky.map((d) => ({ d })), ...KEEP });
      expect((await first).map((e) => e.fields['d'])).toEqual(tricky);
      await repo.close();
    }
  });

  it("sends a held read the server never answers again after heldRequestTimeoutMs, from the same cursors (the server's hang-after fault)", async () => {
    const logger = recordingLogger();
    const repo = createUpstashRepository({ url: stack.server.url, token: stack.server.token, readMode: 'block', blockMs: 200, heldRequestTimeoutMs: 400, logger });
    const t = topic();
    const { ids } = await repo.append({ topic: t, entries: [{ d: '1' }, { d: '2' }], ...KEEP });
    let hangs = 2;
    // The held XREAD runs (and takes the entries), but its answer never arrives, twice.
    stack.server.setFaults({ rate: 1, kinds: ['hang-after'], only: (cmds) => cmds.some((c) => c.includes('BLOCK')) && hangs-- > 0 });
    try {
      const got = await repo.read(t, '0-0', { blockMs: 30_000, count: 10 });
      expect(got.map((e) => e.id)).toEqual(ids);
      expect(repo.heldStats.timeouts).toBeGreaterThanOrEqual(2); // more only if the loaded machine is slower than 400 ms
      expect(stack.server.faultsInjected.get('hang-after')).toBe(2);
      expect(logger.lines.join('\n')).not.toContain(stack.server.token);
    } finally {
      stack.server.setFaults(undefined);
    }
    await repo.close();
  });

  it("in 'auto' mode falls back to polling for good when the server refuses blocking reads; in 'block' mode the read fails with BACKEND_COMMAND", async () => {
    stack.server.setBlocking('refuse');
    try {
      const logger = recordingLogger();
      const auto = createUpstashRepository({ url: stack.server.url, token: stack.server.token, logger, pollMinMs: 5, pollMaxMs: 20 });
      expect(auto.readMode).toBe('auto');
      expect(auto.capabilities.blockingReads).toBe(true);
      const t = topic();
      // The refused read is answered by the poller instead (at once, as a polling backend does).
      expect(await auto.read(t, '0-0', { blockMs: 30_000, count: 10 })).toEqual([]);
      expect(auto.readMode).toBe('poll');
      expect(auto.capabilities.blockingReads).toBe(false);
      expect(logger.lines.filter((l) => l.includes('refused a blocking read'))).toHaveLength(1);
      await auto.append({ topic: t, entries: [{ d: 'late' }], ...KEEP });
      const refusedBefore = stack.server.stats.requests;
      const got = await auto.read(t, '0-0', { blockMs: 30_000, count: 10 }); // now served by the poller
      expect(got.map((e) => e.fields['d'])).toEqual(['late']);
      expect(stack.server.stats.requests).toBe(refusedBefore + 1); // one poll, no blocking attempt
      await auto.close();

      const strict = createUpstashRepository({ url: stack.server.url, token: stack.server.token, readMode: 'block' });
      const err = await strict.read(topic(), '0-0', { blockMs: 30_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskStreamError);
      expect((err as TaskStreamError).code).toBe('BACKEND_COMMAND');
      expect(strict.capabilities.blockingReads).toBe(true);
      await strict.close();
    } finally {
      stack.server.setBlocking('serve');
    }
  });

  it('maps a held read with a bad token to BACKEND_AUTH without the token in the error or the log', async () => {
    const secret = `sekrit_${Math.random().toString(36).slice(2)}`;
    const logger = recordingLogger();
    const bad = createUpstashRepository({ url: stack.server.url, token: secret, logger, readMode: 'block' });
    const err = (await bad.read(topic(), '0-0', { blockMs: 5_000 }).catch((e: unknown) => e)) as TaskStreamError;
    expect(err.code).toBe('BACKEND_AUTH');
    const everything = [inspect(err, { depth: 10 }), JSON.stringify(err), String(err.stack), ...logger.lines].join('\n');
    expect(everything).not.toContain(secret);
    await bad.close();
  });

  it("rejects a heldRequestTimeoutMs that does not exceed blockMs, and an unknown readMode, with INVALID_CONFIG", () => {
    const base = { url: stack.server.url, token: stack.server.token };
    expect(() => createUpstashRepository({ ...base, blockMs: 5_000, heldRequestTimeoutMs: 5_000 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(/heldRequestTimeoutMs/) }),
    );
    expect(() => createUpstashRepository({ ...base, readMode: 'sometimes' as 'auto' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
