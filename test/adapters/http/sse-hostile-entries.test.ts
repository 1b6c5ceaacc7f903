// Issue 8 item 2: one entry, or one failing cursor, must not stall or flood the SSE edge.
import { describe, expect, it } from 'vitest';
import { sseResponse, type SseSource } from '../../../src/adapters/http/index.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { Logger } from '../../../src/ports/logger.js';
import { createWorld, publishMessage, SseBody, sseRequest } from './sse-helpers.js';

function spyLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A `done` whose extra field is JSON nested `depth` deep, as a foreign `XADD` could write it (9 kB for 4,500). */
function poisonDone(depth: number): string {
  return `{"type":"done","index":0,"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

describe('a poison entry (JSON nested ~4,500 deep, written by a foreign XADD)', () => {
  it('becomes one decode_error event for its id; what follows, end included, is delivered', async () => {
    const clock = new FakeClock();
    const world = createWorld({ clock });
    const logger = spyLogger();
    await publishMessage(world.publisher, 'task-1', ['a']);
    const poison = poisonDone(4_500);
    expect(poison.length).toBeLessThan(10_000);
    const [poisonId] = (await world.repository.append({ topic: 'task:task-1', entries: [{ data: poison }], maxLen: 0, ttlSeconds: 0 })).ids;
    await publishMessage(world.publisher, 'task-1', ['b'], 1);
    await world.publisher.updateTask('task-1', 'COMPLETED');
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock, logger, keepAliveMs: 0 })).body!);
    await body.finished();
    expect(body.types).toEqual(['connected', 'start', 'delta', 'done', 'decode_error', 'start', 'delta', 'done', 'task_updated', 'end']);
    const decodeError = body.events.find((e) => e.event === 'decode_error')!;
    expect(decodeError.id).toBe(poisonId);
    expect(JSON.parse(decodeError.data)).toMatchObject({ type: 'decode_error', code: 'DECODE_FAILED', message: expect.stringContaining('nested deeper than 512') });
    expect(body.types).not.toContain('error');
    expect(logger.lines).toEqual(['warn taskstream sse: entry cannot be forwarded; sent as a decode_error event']);
    expect(clock.pendingCount).toBe(0);
  });

  it('read by 10 clients, it is refused once and logged once', async () => {
    const world = createWorld();
    const logger = spyLogger();
    await world.repository.append({ topic: 'task:task-1', entries: [{ data: poisonDone(4_500) }], maxLen: 0, ttlSeconds: 0 });
    await world.publisher.updateTask('task-1', 'COMPLETED');
    const bodies = await Promise.all(
      Array.from({ length: 10 }, async () => new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock: world.clock, logger, keepAliveMs: 0 })).body!)),
    );
    await Promise.all(bodies.map((b) => b.finished()));
    for (const body of bodies) expect(body.types).toEqual(['connected', 'decode_error', 'task_updated', 'end']);
    expect(logger.lines).toHaveLength(1);
  });

  it('nesting up to the limit (512 levels) is forwarded as it is', async () => {
    const world = createWorld();
    await world.repository.append({ topic: 'task:task-1', entries: [{ data: poisonDone(500) }], maxLen: 0, ttlSeconds: 0 });
    await world.publisher.updateTask('task-1', 'COMPLETED');
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock: world.clock, keepAliveMs: 0 })).body!);
    await body.finished();
    expect(body.types).toEqual(['connected', 'done', 'task_updated', 'end']);
    const done = body.data('done')[0] as { fields: { deep: unknown } };
    expect(JSON.stringify(done.fields.deep)).toBe(`${'['.repeat(500)}${']'.repeat(500)}`);
  });

  it('a 20 MB non-JSON foreign entry becomes a decode_error whose raw fields are cut to 4 KiB each', async () => {
    const world = createWorld();
    await world.repository.append({ topic: 'task:task-1', entries: [{ data: `<html>${'x'.repeat(20_000_000)}` }], maxLen: 0, ttlSeconds: 0 });
    await world.publisher.updateTask('task-1', 'COMPLETED');
    const body = new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock: world.clock, keepAliveMs: 0 })).body!);
    await body.finished();
    expect(body.types).toEqual(['connected', 'decode_error', 'task_updated', 'end']);
    const event = body.data('decode_error')[0] as { raw: { data: string }; truncated: boolean };
    expect(event.raw.data).toHaveLength(4_096);
    expect(event.truncated).toBe(true);
  });
});

describe('repeated failure at one cursor', () => {
  it('backs off doubling even when each attempt yields an item first (a gap), and logs once per 10 s', async () => {
    const clock = new FakeClock();
    const logger = spyLogger();
    let opens = 0;
    const source: SseSource = {
      kind: 'sse-source',
      open: () => {
        opens++;
        return {
          ready: Promise.resolve({ startId: '5-0', ended: false }),
          items: (async function* () {
            yield { id: '5-0', event: { type: 'gap' as const, reason: 'trimmed' as const, resumeId: '5-0', firstRetainedId: '9-0', trimmed: 4 } };
            throw new TaskStreamError('BACKEND_UNAVAILABLE', 'read failed');
          })(),
        };
      },
    };
    const options = { clock, logger, keepAliveMs: 0, errorBackoffMs: 500, maxErrorBackoffMs: 30_000 };
    const body = new SseBody((await sseResponse(source, 'task-1', sseRequest('/e', { 'last-event-id': '5-0' }), options)).body!);
    await body.until(() => body.types.includes('error'), 'first error');
    await clock.advance(120_000);
    await body.until(() => opens >= 8, 'eight opens');
    const delays = body.data('error').map((e) => (e as { retryInMs: number }).retryInMs);
    expect(delays.slice(0, 8)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    const warnings = logger.lines.filter((l) => l.startsWith('warn'));
    // 2 minutes of failures: at most one line per 10 s, and only at failures 1, 2, 4, 8, …
    expect(warnings.length).toBeLessThanOrEqual(4);
    await body.cancel();
  });

  it('40 readers of a failing backend write at most one log line per message per 10 s between them', async () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    const failing = { on: false };
    const repository = wrapRepository(inner, {
      read: (t, a, o) => (failing.on ? Promise.reject(new TaskStreamError('BACKEND_UNAVAILABLE', 'down')) : inner.read(t, a, o)),
    });
    const world = createWorld({ clock, repository });
    const logger = spyLogger();
    await publishMessage(world.publisher, 'task-1', ['a']);
    failing.on = true;
    const bodies = await Promise.all(
      Array.from({ length: 40 }, async () => new SseBody((await sseResponse(world.subscriber, 'task-1', sseRequest('/e'), { clock, logger, keepAliveMs: 0, errorBackoffMs: 100, maxErrorBackoffMs: 1_000 })).body!)),
    );
    await Promise.all(bodies.map((b) => b.until(() => b.types.includes('error'), 'error')));
    for (let i = 0; i < 30; i++) await clock.advance(1_000);
    expect(bodies.every((b) => b.data('error').length >= 20)).toBe(true);
    const failedLines = logger.lines.filter((l) => l.includes('backend read failed'));
    expect(failedLines.length).toBeGreaterThanOrEqual(1);
    expect(failedLines.length).toBeLessThanOrEqual(4); // 30 s: t=0, 10, 20, 30
    await Promise.all(bodies.map((b) => b.cancel()));
  });
});
