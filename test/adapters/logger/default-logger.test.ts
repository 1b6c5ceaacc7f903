// One default logger (src/adapters/logger/console-logger.ts) for every public factory: warnings and
// errors reach the console unless a logger is given, so no retried or failed write is silent.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { resolveSseOptions } from '../../../src/adapters/http/sse-options.js';
import { consoleLogger } from '../../../src/adapters/logger/console-logger.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { resolveMemoryOptions } from '../../../src/adapters/memory/options.js';
import { wrapRepository } from '../../../src/conformance/wrap-repository.js';
import { createPublisher, createSubscriber } from '../../../src/defaults.js';
import { TaskStreamError } from '../../../src/domain/errors.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const unavailable = () => new TaskStreamError('BACKEND_UNAVAILABLE', 'connection reset');

describe('consoleLogger', () => {
  it('sends warnings and errors to the console with their fields, drops debug and info', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    consoleLogger.debug('d', { a: 1 });
    consoleLogger.info('i');
    consoleLogger.warn('w', { topic: 't' });
    consoleLogger.error('e');
    expect(warn.mock.calls).toEqual([['w', { topic: 't' }]]);
    expect(error.mock.calls).toEqual([['e', {}]]);
    expect(log).not.toHaveBeenCalled();
  });
});

describe('factories given no logger', () => {
  it('createPublisher warns on the console when an append is retried', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const clock = new FakeClock();
    let failures = 1;
    const inner = createMemoryRepository({ clock });
    const repository = wrapRepository(inner, {
      append: async (request) => {
        if (failures-- > 0) throw unavailable();
        return inner.append(request);
      },
    });
    const publisher = createPublisher({ repository, clock, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 5 } });
    const sent = publisher.updateTask('t1', 'RUNNING');
    await clock.runAll();
    await sent;
    expect(warn).toHaveBeenCalledWith('taskstream: append failed, retrying', expect.objectContaining({ attempt: 1 }));
    await publisher.close();
  });

  it('createSubscriber warns on the console when a read is retried', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    let failures = 1;
    const repository = wrapRepository(inner, {
      tailId: async (topic) => {
        if (failures-- > 0) throw unavailable();
        return inner.tailId(topic);
      },
    });
    const subscription = createSubscriber({ repository, clock }).open('t1');
    const ready = subscription.ready.then(() => 'ready', (e: unknown) => e);
    await clock.runAll();
    await ready;
    expect(warn).toHaveBeenCalledWith('taskstream subscriber: backend call failed, retrying', expect.anything());
    subscription.close?.();
  });

  it('the memory backend and the SSE handler default to the same logger', () => {
    expect(resolveMemoryOptions({}).logger).toBe(consoleLogger);
    expect(resolveSseOptions({}).logger).toBe(consoleLogger);
  });
});

describe('the console is written in one place', () => {
  it('no source file but the console logger (and the CLI, which prints its output) calls console.warn or console.error', () => {
    const root = new URL('../../../src/', import.meta.url).pathname;
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));
    const writers = files(root)
      .filter((file) => readFileSync(file, 'utf8').split('\n').some((line) => !/^\s*(\*|\/\/)/.test(line) && /console\.(warn|error)\(/.test(line)))
      .map((file) => file.slice(root.length))
      .filter((file) => !file.startsWith('cli/'));
    expect(writers).toEqual(['adapters/logger/console-logger.ts']);
  });
});
