import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { agentexCodec } from '../../../src/domain/codec/agentex-codec.js';
import type { TaskEvent } from '../../../src/domain/events.js';
import { createPublisher } from '../../../src/defaults.js';

describe('publisher over the memory backend', () => {
  it('writes an agentex stream a reader can decode, in order, with one done per message', async () => {
    const clock = new FakeClock();
    const repository = createMemoryRepository({ clock });
    const publisher = createPublisher({ repository, clock });
    const a = publisher.open('job', { start: { type: 'text', author: 'agent', content: '' } });
    const b = publisher.open('job');
    a.delta({ type: 'text', textDelta: 'Hel' });
    b.delta({ type: 'reasoning_summary', summaryIndex: 0, summaryDelta: 'think' });
    a.delta({ type: 'text', textDelta: 'lo' });
    await clock.advance(50);
    a.delta({ type: 'text', textDelta: ' 🌍' });
    await Promise.all([a.done({ finish_reason: 'stop' }), b.close(), publisher.updateTask('job', 'COMPLETED')]);
    await publisher.close();

    const events = (await repository.read('task:job', '0-0')).map((e) => agentexCodec.decode(e) as TaskEvent);
    const ofA = events.filter((e) => 'index' in e && e.index === 0);
    // 'Hel' waits behind the start's append and merges with 'lo'; ' 🌍' comes after the window.
    expect(ofA.map((e) => e.type)).toEqual(['start', 'delta', 'delta', 'done']);
    expect(ofA.map((e) => (e.type === 'delta' && e.delta.type === 'text' ? e.delta.textDelta : '')).join('')).toBe('Hello 🌍');
    expect(ofA.at(-1)).toMatchObject({ type: 'done', fields: { finish_reason: 'stop' } });
    const ofB = events.filter((e) => 'index' in e && e.index === 1);
    expect(ofB.map((e) => e.type)).toEqual(['delta', 'done']);
    expect(events.filter((e) => e.type === 'task_updated')).toHaveLength(1);
    expect(clock.pendingCount).toBe(0);
  });
});
