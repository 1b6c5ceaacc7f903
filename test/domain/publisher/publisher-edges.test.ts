// Edges of the publisher facade the mutation run found unpinned (issue 14): what it logs, what
// its errors carry, and which task statuses end a task's numbering. Through the public API,
// over the memory backend with the fake clock.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import { createPublisher } from '../../../src/defaults.js';
import type { PublisherOptions } from '../../../src/domain/publisher/publisher.js';
import type { Logger, LogFields } from '../../../src/ports/logger.js';
import { refusal, rejection } from '../../helpers/caught.js';
import { recordingRepository } from '../../helpers/recording-repository.js';

interface Line {
  readonly level: keyof Logger;
  readonly message: string;
  readonly fields: LogFields | undefined;
}

function recordingLogger(): Logger & { readonly lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: keyof Logger) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function setup(extra: Partial<PublisherOptions> = {}) {
  const clock = new FakeClock();
  const repo = recordingRepository(clock);
  const logger = recordingLogger();
  const publisher = createPublisher({ repository: repo, clock, logger, idGenerator: () => 'pub', retry: { maxAttempts: 1 }, ...extra });
  return { clock, repo, logger, publisher };
}

describe('publisher: what it logs', () => {
  it('warns once, with its id, when the backend does not honour idempotent appends; not otherwise', () => {
    const clock = new FakeClock();
    const memory = createMemoryRepository({ clock });
    const logger = recordingLogger();
    createPublisher({ repository: memory, clock, logger, idGenerator: () => 'honest' });
    expect(logger.lines).toEqual([]);
    const repository = wrapRepository(memory, { capabilities: { ...memory.capabilities, idempotentAppend: false } });
    createPublisher({ repository, clock, logger, idGenerator: () => 'lax' });
    expect(logger.lines).toEqual([{ level: 'warn', message: expect.stringContaining('idempotent') as unknown as string, fields: { publisherId: 'lax' } }]);
  });

  it('logs a failed publish once with the error and its details, without an onError callback', async () => {
    const h = setup();
    h.repo.failNext(Infinity);
    const failed = await rejection(h.publisher.updateTask('t1', 'RUNNING'));
    expect(TaskStreamError.is(failed, 'PUBLISH_FAILED')).toBe(true);
    const errors = h.logger.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fields).toMatchObject({ error: (failed as TaskStreamError).message, topic: 'task:t1', attempts: 1 });
  });

  it('an onError callback that throws is logged, and the failure still reaches the caller', async () => {
    const h = setup({
      onError: () => {
        throw new Error('callback broke');
      },
    });
    h.repo.failNext(Infinity);
    const failed = await rejection(h.publisher.error('t1', 'boom'));
    expect(TaskStreamError.is(failed, 'PUBLISH_FAILED')).toBe(true);
    const errors = h.logger.lines.filter((l) => l.level === 'error');
    expect(errors.map((l) => l.fields?.['error'])).toEqual([(failed as TaskStreamError).message, 'Error: callback broke']);
  });
});

describe('publisher: what its refusals carry', () => {
  it('open() with an aborted signal: ABORTED with the abort reason as cause', () => {
    const h = setup();
    const controller = new AbortController();
    const reason = new Error('user left');
    controller.abort(reason);
    const err = refusal(() => h.publisher.open('t1', { signal: controller.signal }));
    expect(err.code).toBe('ABORTED');
    expect((err.cause as Error).message).toBe(reason.message);
  });

  it('open() with a bad index names the task and the index', () => {
    const h = setup();
    const err = refusal(() => h.publisher.open('t1', { index: -1 }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.details).toMatchObject({ taskId: 't1', index: -1 });
  });

  it('error() with a message that is not a string: INVALID_ARGUMENT naming the task, nothing written', async () => {
    const h = setup();
    const err = await rejection(h.publisher.error('t1', 42 as unknown as string));
    expect(TaskStreamError.is(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as TaskStreamError).details).toEqual({ taskId: 't1' });
    await h.publisher.close();
    expect(h.repo.requests).toEqual([]);
  });

  it('close() after several producers failed: PUBLISH_FAILED counting them, the first failure as cause', async () => {
    const h = setup();
    h.repo.failNext(Infinity);
    const a = h.publisher.open('t1');
    const b = h.publisher.open('t2');
    a.delta({ type: 'text', textDelta: 'a' });
    b.delta({ type: 'text', textDelta: 'b' });
    const first = await rejection(a.flush());
    await rejection(b.flush());
    const err = await rejection(h.publisher.close());
    expect(TaskStreamError.is(err, 'PUBLISH_FAILED')).toBe(true);
    expect((err as TaskStreamError).details).toEqual({ failures: 2 });
    expect((err as TaskStreamError).cause).toBe(first);
    expect((err as TaskStreamError).message).toContain('2 producer(s) failed');
  });
});

describe('publisher: task statuses and message numbering', () => {
  it('a status that is not terminal keeps the numbering; a terminal one starts it again at 0', async () => {
    const h = setup();
    await h.publisher.open('t1').done();
    await h.publisher.updateTask('t1', 'RUNNING');
    await h.publisher.open('t1').done(); // index 1
    expect(h.publisher.open('t1').index).toBe(2);
    await h.publisher.updateTask('t1', 'COMPLETED');
    expect(h.publisher.open('t1').index).toBe(0);
  });
});
