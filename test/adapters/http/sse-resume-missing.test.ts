// Issue 8 item 6: a resume point on a stream that does not exist (never written, expired, deleted).
import { describe, expect, it } from 'vitest';
import { sseResponse } from '../../../src/adapters/http/index.js';
import { createWorld, publishMessage, SseBody, sseRequest } from './sse-helpers.js';

describe('resume on a missing stream', () => {
  it('an id ahead of the server clock (beyond any tail) is 400 INVALID_RESUME_POINT, never a reader that skips entries', async () => {
    const world = createWorld();
    const response = await sseResponse(world.subscriber, 'gone', sseRequest('/e', { 'last-event-id': '99999999999999-0' }), { clock: world.clock });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_RESUME_POINT');
    expect(world.clock.pendingCount).toBe(0);
  });

  it('an id the expired stream could have issued is accepted; a reset gap, then what is appended later arrives', async () => {
    const world = createWorld();
    const past = `${world.clock.now() - 60_000}-3`;
    const body = new SseBody((await sseResponse(world.subscriber, 'gone', sseRequest('/e', { 'last-event-id': past }), { clock: world.clock, keepAliveMs: 0 })).body!);
    await body.until(() => body.types.includes('connected'), 'connected');
    expect(body.data('connected')).toEqual([{ type: 'connected', taskId: 'gone', cursor: past, resumed: true }]);
    await publishMessage(world.publisher, 'gone', ['again']);
    await world.publisher.updateTask('gone', 'COMPLETED');
    await body.finished();
    // The stream written again is a new incarnation: what the old one held after the resume point
    // cannot be known, so the reader is told (issue 9) instead of silently continuing.
    expect(body.types).toEqual(['connected', 'gap', 'start', 'delta', 'done', 'task_updated', 'end']);
    expect(body.data('gap')).toMatchObject([{ type: 'gap', reason: 'reset', resumeId: past }]);
  });
});
