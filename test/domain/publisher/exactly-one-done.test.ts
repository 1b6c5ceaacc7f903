import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { agentexCodec } from '../../../src/domain/codec/agentex-codec.js';
import { TaskStreamError } from '../../../src/domain/errors.js';
import type { TaskEvent } from '../../../src/domain/events.js';
import { createPublisher } from '../../../src/defaults.js';

describe('two publishers open the same message (a retried job, a second process)', () => {
  it('the store keeps the first done; the other context gets AFTER_TERMINAL and writes nothing after it', async () => {
    const clock = new FakeClock();
    const repository = createMemoryRepository({ clock });
    const errors: TaskStreamError[] = [];
    const first = createPublisher({ repository, clock, settings: { coalesce: 'off' } });
    const retried = createPublisher({ repository, clock, settings: { coalesce: 'off' }, onError: (e) => errors.push(e) });
    const winner = first.open('job', { index: 0 });
    const loser = retried.open('job', { index: 0 });
    winner.delta({ type: 'text', textDelta: 'a' });
    loser.delta({ type: 'text', textDelta: 'B' });
    await winner.done({ by: 'first' });
    loser.delta({ type: 'text', textDelta: 'C' });
    const refused = await loser.done({ by: 'retried' }).then(() => undefined, (err: unknown) => err);
    expect(TaskStreamError.is(refused, 'AFTER_TERMINAL')).toBe(true);
    expect((refused as TaskStreamError).details).toMatchObject({ topic: 'task:job', message: '0' });
    expect((refused as TaskStreamError).message).toContain('message 0 already has its done');
    expect(TaskStreamError.is((refused as TaskStreamError).cause, 'AFTER_TERMINAL')).toBe(true);
    expect(errors.map((e) => e.code)).toEqual(['AFTER_TERMINAL']);
    await expect(loser.close()).rejects.toMatchObject({ code: 'AFTER_TERMINAL' });
    await Promise.all([first.close(), retried.close()]);

    const events = (await repository.read('task:job', '0-0')).map((e) => agentexCodec.decode(e) as TaskEvent);
    const summary = events.map((e) => (e.type === 'delta' && e.delta.type === 'text' ? e.delta.textDelta : e.type === 'done' ? `done:${String(e.fields['by'])}` : e.type));
    // The loser's delta that landed before the winner's done stays; nothing of it follows the done.
    expect(summary).toEqual(['a', 'B', 'done:first']);
  });
});
