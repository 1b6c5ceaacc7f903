// A task idle past the stream TTL has lost its stream, and with it its message numbering: the
// publisher must accept its indexes again, however many other tasks it remembers.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { createPublisher } from '../../../src/defaults.js';
import { silentLogger } from '../../helpers/silent-logger.js';

function setup(ttlSeconds = 60) {
  const clock = new FakeClock();
  const repository = createMemoryRepository({ clock });
  const publisher = createPublisher({ repository, clock, logger: silentLogger, settings: { ttlSeconds } });
  return { clock, repository, publisher };
}

describe('Publisher.open after the task stream expired', () => {
  it('accepts index 0 again once the task has been idle longer than the TTL', async () => {
    const { clock, repository, publisher } = setup();
    await publisher.open('t1', { index: 0 }).done();
    await clock.advance(61_000);
    expect(await repository.info('task:t1')).toBeNull();
    const again = publisher.open('t1', { index: 0 });
    expect(again.index).toBe(0);
    await again.done();
    await publisher.close();
  });

  it('still refuses index 0 while the task is within its TTL', async () => {
    const { clock, publisher } = setup();
    await publisher.open('t1', { index: 0 }).done();
    await clock.advance(60_000);
    expect(() => publisher.open('t1', { index: 0 })).toThrow(expect.objectContaining({ code: 'DUPLICATE_MESSAGE' }));
    await publisher.close();
  });

  it('numbers the expired task from 0 when it is not among the first tasks a sweep looks at', async () => {
    const { clock, publisher } = setup();
    for (let i = 0; i < 12; i++) await publisher.open(`other-${i}`).done();
    await publisher.open('t1').done();
    await clock.advance(61_000);
    const again = publisher.open('t1');
    expect(again.index).toBe(0);
    await again.done();
    await publisher.close();
  });

  it('a task event after the TTL starts a fresh stream, and the numbering with it', async () => {
    const { clock, publisher } = setup();
    await publisher.open('t1', { index: 0 }).done();
    await clock.advance(61_000);
    await publisher.updateTask('t1', 'RUNNING');
    const again = publisher.open('t1', { index: 0 });
    expect(again.index).toBe(0);
    await again.done();
    await publisher.close();
  });

  it('never forgets the numbering of a task with a message still open', async () => {
    const { clock, publisher } = setup();
    const first = publisher.open('t1', { index: 0 });
    await clock.advance(3_600_000);
    expect(() => publisher.open('t1', { index: 0 })).toThrow(expect.objectContaining({ code: 'DUPLICATE_MESSAGE' }));
    expect(publisher.open('t1').index).toBe(1);
    await first.done();
    await publisher.close();
  });
});
