// The publisher's next-index memory is bounded: tasks that never reach a terminal status are
// forgotten once idle longer than the stream TTL (their stream is gone), never while a message is open.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { createPublisher } from '../../../src/defaults.js';
import { MessageIndices } from '../../../src/domain/publisher/message-indices.js';
import { silentLogger } from '../../helpers/silent-logger.js';

describe('MessageIndices', () => {
  it('numbers each task 0, 1, 2, … and follows explicit indices', () => {
    const indices = new MessageIndices(new FakeClock(), 60);
    expect(indices.next('a')).toBe(0);
    indices.opened('a', 0);
    indices.opened('a', 5);
    expect(indices.next('a')).toBe(6);
    expect(indices.next('b')).toBe(0);
  });

  it('forgets an idle task only once it has been idle longer than the TTL', async () => {
    const clock = new FakeClock();
    const indices = new MessageIndices(clock, 60);
    indices.opened('a', 0);
    indices.settled('a');
    await clock.advance(60_000);
    expect(indices.next('a')).toBe(1);
    await clock.advance(1);
    expect(indices.next('a')).toBe(0);
    expect(indices.size).toBe(0);
  });

  it('remembers which indexes were opened, as long as it remembers the task', async () => {
    const clock = new FakeClock();
    const indices = new MessageIndices(clock, 60);
    indices.opened('a', 3);
    indices.settled('a');
    expect(indices.wasOpened('a', 3)).toBe(true);
    expect(indices.wasOpened('a', 0)).toBe(false);
    await clock.advance(60_001);
    indices.next('b');
    expect(indices.wasOpened('a', 3)).toBe(false);
  });

  it('never forgets a task with an open message, however long it stays open', async () => {
    const clock = new FakeClock();
    const indices = new MessageIndices(clock, 60);
    indices.opened('a', 0);
    await clock.advance(3_600_000);
    indices.opened('b', 0);
    expect(indices.next('a')).toBe(1);
    indices.settled('a');
    await clock.advance(59_000);
    expect(indices.next('a')).toBe(1);
  });

  it('a task event keeps the task (and its stream) alive', async () => {
    const clock = new FakeClock();
    const indices = new MessageIndices(clock, 60);
    indices.opened('a', 0);
    indices.settled('a');
    await clock.advance(50_000);
    indices.used('a');
    await clock.advance(50_000);
    expect(indices.next('a')).toBe(1);
  });

  it('stays bounded over many tasks that never end: by the TTL window, or by the cap without a TTL', async () => {
    const clock = new FakeClock();
    const withTtl = new MessageIndices(clock, 60);
    const withoutTtl = new MessageIndices(clock, 0, 100);
    for (let i = 0; i < 20_000; i++) {
      for (const indices of [withTtl, withoutTtl]) {
        indices.opened(`task-${i}`, indices.next(`task-${i}`));
        indices.settled(`task-${i}`);
      }
      await clock.advance(100); // 600 tasks start per TTL window
    }
    expect(withTtl.size).toBeLessThanOrEqual(601 + 8);
    expect(withoutTtl.size).toBeLessThanOrEqual(100 + 8);
  });
});

describe('Publisher.open without an index', () => {
  it('numbers on after a quiet spell shorter than the TTL, and from 0 once the stream has expired', async () => {
    const clock = new FakeClock();
    const repository = createMemoryRepository({ clock });
    const publisher = createPublisher({ repository, clock, logger: silentLogger, settings: { ttlSeconds: 60 } });
    const first = publisher.open('t1');
    await first.done();
    await clock.advance(30_000);
    const second = publisher.open('t1');
    expect(second.index).toBe(1);
    await second.done();
    await clock.advance(61_000);
    expect((await repository.info('task:t1')) === null).toBe(true); // the stream expired
    const third = publisher.open('t1');
    expect(third.index).toBe(0);
    await third.done();
    await publisher.close();
  });
});
