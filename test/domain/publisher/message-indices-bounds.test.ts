// What the next-index memory forgets and when: a task with an open message never, a task idle
// past the TTL at once when asked about, idle tasks past the cap (no TTL) least recently used
// first; and a sweep costs at most a constant number of steps per call.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { createPublisher } from '../../../src/defaults.js';
import { MessageIndices } from '../../../src/domain/publisher/message-indices.js';
import { silentLogger } from '../../helpers/silent-logger.js';

function publisherOn(ttlSeconds: number) {
  const clock = new FakeClock();
  const repository = createMemoryRepository({ clock });
  return { clock, publisher: createPublisher({ repository, clock, logger: silentLogger, settings: { ttlSeconds } }) };
}

describe('Publisher numbering: open messages and streams that never expire', () => {
  it('a task with one of two messages still open keeps its numbering past the TTL', async () => {
    const { clock, publisher } = publisherOn(60);
    const a = publisher.open('t1');
    const b = publisher.open('t1');
    await a.done();
    await clock.advance(120_000);
    expect(() => publisher.open('t1', { index: 1 })).toThrow(expect.objectContaining({ code: 'DUPLICATE_MESSAGE' }));
    expect(publisher.open('t1').index).toBe(2);
    await b.done();
    await publisher.close();
  });

  it('with ttlSeconds 0 an idle task keeps its numbering however long it stays quiet', async () => {
    const { clock, publisher } = publisherOn(0);
    await publisher.open('t1').done();
    await clock.advance(3_600_000);
    expect(() => publisher.open('t1', { index: 0 })).toThrow(expect.objectContaining({ code: 'DUPLICATE_MESSAGE' }));
    expect(publisher.open('t1').index).toBe(1);
    await publisher.close();
  });

  it('a message that settles after its task reached a terminal status is harmless', async () => {
    const { publisher } = publisherOn(60);
    const ctx = publisher.open('t1');
    await publisher.updateTask('t1', 'COMPLETED');
    await ctx.done();
    expect(publisher.open('t2').index).toBe(0);
    await publisher.close();
  });
});

describe('MessageIndices sweeps', () => {
  it('forget at most 8 expired tasks per call (constant cost), all of them over a few calls', async () => {
    const clock = new FakeClock();
    const indices = new MessageIndices(clock, 60);
    for (let i = 0; i < 20; i++) {
      indices.opened(`task-${i}`, 0);
      indices.settled(`task-${i}`);
    }
    await clock.advance(60_001);
    indices.next('other');
    expect(indices.size).toBe(12);
    indices.next('other');
    indices.next('other');
    expect(indices.size).toBe(0);
  });

  it('skip a task with an open message and go on forgetting the idle ones behind it', async () => {
    const clock = new FakeClock();
    const indices = new MessageIndices(clock, 60);
    indices.opened('busy', 0);
    for (const id of ['a', 'b', 'c']) {
      indices.opened(id, 0);
      indices.settled(id);
    }
    await clock.advance(60_001);
    indices.next('other');
    expect(indices.size).toBe(1);
    expect(indices.next('busy')).toBe(1);
  });

  it('without a TTL, keep exactly the cap: the least recently used idle tasks go first, open ones stay', () => {
    const indices = new MessageIndices(new FakeClock(), 0, 3);
    indices.opened('busy', 0);
    for (const id of ['a', 'b', 'c', 'd']) {
      indices.opened(id, 0);
      indices.settled(id);
    }
    indices.next('other');
    expect(indices.size).toBe(3);
    expect(indices.wasOpened('busy', 0)).toBe(true);
    expect(['a', 'b', 'c', 'd'].map((id) => indices.wasOpened(id, 0))).toEqual([false, false, true, true]);
  });
});
