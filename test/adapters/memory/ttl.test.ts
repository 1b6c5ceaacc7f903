import { describe, expect, it } from 'vitest';
import { T0, delta, setup } from './helpers.js';

describe('memory repository TTL', () => {
  it('slides: every append with ttlSeconds > 0 sets expiry to now + ttl', async () => {
    const { clock, repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 10 });
    expect((await repo.info('t'))!.ttlMs).toBe(10_000);
    await clock.advance(4000);
    expect((await repo.info('t'))!.ttlMs).toBe(6000);
    await repo.append({ topic: 't', entries: [delta(2)], maxLen: 0, ttlSeconds: 10 });
    expect((await repo.info('t'))!.ttlMs).toBe(10_000);
    await clock.advance(9999);
    expect(await repo.tailId('t')).not.toBe('0-0');
  });

  it('expires exactly when the clock passes the expiry (Redis: now > expiry), not before', async () => {
    const { clock, repo } = setup();
    const { ids } = await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 2 });
    await clock.advance(2000);
    expect((await repo.info('t'))!.ttlMs).toBe(0);
    expect(await repo.tailId('t')).toBe(ids[0]);
    await clock.advance(1);
    expect(await repo.info('t')).toBeNull();
    expect(await repo.tailId('t')).toBe('0-0');
    expect(await repo.read('t', '0-0')).toEqual([]);
    expect(await repo.deleteTopic('t')).toBe(false);
  });

  it('ttlSeconds 0 on a new topic: no TTL, never expires', async () => {
    const { clock, repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 0 });
    expect((await repo.info('t'))!.ttlMs).toBeNull();
    await clock.advance(365 * 24 * 3600 * 1000);
    expect((await repo.info('t'))!.length).toBe(1);
  });

  it('ttlSeconds 0 leaves an existing TTL untouched, as XADD without EXPIRE does', async () => {
    const { clock, repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1)], maxLen: 0, ttlSeconds: 5 });
    await clock.advance(3000);
    await repo.append({ topic: 't', entries: [delta(2)], maxLen: 0, ttlSeconds: 0 });
    expect((await repo.info('t'))!.ttlMs).toBe(2000);
    await clock.advance(2001);
    expect(await repo.info('t')).toBeNull();
  });

  it('arms no timer for expiry', async () => {
    const { clock, repo } = setup();
    for (let i = 0; i < 50; i++) await repo.append({ topic: `t${i}`, entries: [delta(i)], maxLen: 10, ttlSeconds: 1 });
    expect(clock.scheduledCount).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('reclaims expired topics nobody touches again, a few per append', async () => {
    const { clock, repo } = setup();
    for (let i = 0; i < 100; i++) await repo.append({ topic: `old${i}`, entries: [delta(i)], maxLen: 0, ttlSeconds: 1 });
    await repo.append({ topic: 'keep', entries: [delta(0)], maxLen: 0, ttlSeconds: 0 });
    await clock.advance(1001);
    expect(repo.topicCount).toBe(101);
    for (let i = 0; i < 20; i++) await repo.append({ topic: 'live', entries: [delta(i)], maxLen: 10, ttlSeconds: 60 });
    expect(repo.topicCount).toBe(2);
    expect(await repo.tailId('keep')).not.toBe('0-0');
  });

  it('purgeExpired drops every expired topic at once', async () => {
    const { clock, repo } = setup({ sweepPerAppend: 0 });
    for (let i = 0; i < 10; i++) await repo.append({ topic: `old${i}`, entries: [delta(i)], maxLen: 0, ttlSeconds: 1 });
    await repo.append({ topic: 'keep', entries: [delta(0)], maxLen: 0, ttlSeconds: 5 });
    await clock.advance(1500);
    expect(repo.topicCount).toBe(11);
    expect(repo.purgeExpired()).toBe(10);
    expect(repo.topicCount).toBe(1);
  });

  it('a new append after expiry creates a fresh topic with its own TTL', async () => {
    const { clock, repo } = setup();
    await repo.append({ topic: 't', entries: [delta(1), delta(2)], maxLen: 0, ttlSeconds: 1 });
    await clock.advance(1001);
    await repo.append({ topic: 't', entries: [delta(3)], maxLen: 0, ttlSeconds: 0 });
    const info = (await repo.info('t'))!;
    expect(info).toMatchObject({ length: 1, entriesAdded: 1, ttlMs: null, firstId: `${T0 + 1001}-0` });
  });
});
