/**
 * In-memory taskstream backend with Redis 7.0 stream semantics, for tests and single-process use.
 *
 * What it emulates, and how it was checked against a real `redis-server` 7.0.15:
 * - **Ids**: `XADD key *` from the injected clock (`nextStreamId`): `now-0`, or `last.ms-(seq+1)`
 *   when the clock has not moved or went backwards. The last id survives trimming; a deleted or
 *   expired topic is gone entirely and starts again from the clock.
 * - **Trimming**: each entry is an `XADD MAXLEN ~ max(maxLen, batch size)` (so a call never trims
 *   its own entries), as the ioredis backend's append script sends it. Entries are grouped in nodes exactly as `streamAppendItem` groups them: a new node
 *   when the tail holds `nodeMaxEntries` (100) entries, or when its listpack size plus the new
 *   entry's raw field/value bytes reaches `nodeMaxBytes` (4096), the listpack size being computed
 *   element by element. `streamTrim` then drops only whole head nodes, at most 10000 entries per
 *   call. Lengths and node counts (`XINFO STREAM` length / radix-tree-keys) were compared with
 *   redis-server 7.0.15 for delta-like entries (about 60 per node), large entries, mixed field
 *   sets and batches (see `test/adapters/memory/trim-parity.test.ts`). Node sizes depend on the
 *   id deltas inside a node (their integer encodings), so lengths match Redis exactly when the
 *   ids match; with different clocks they can differ by up to one node.
 * - **Not emulated**: `stream-node-max-*` changes at run time, `XDEL`/exact trimming (the port
 *   has neither), consumer groups, memory accounting beyond node boundaries.
 * - **TTL**: an append with `ttlSeconds > 0` sets expiry to `now + ttl` (`EXPIRE` after `XADD`);
 *   `ttlSeconds` 0 leaves an existing TTL as it is, as `XADD` alone does (a new topic then has
 *   none). A batch made only of idempotent duplicates writes nothing and leaves the TTL alone. A key expires when
 *   `now > expiry` (Redis `keyIsExpired`), so at exactly `expiry` it still exists with `ttlMs` 0.
 *   Expiry is lazy on access, plus a few topics swept per append; no timer is ever armed for it.
 * - **`maxDeletedId`** stays `0-0`: Redis 7.0 updates `max-deleted-entry-id` only on `XDEL`,
 *   never on trimming (checked on 7.0.15), and the port has no single-entry delete.
 * - **Blocking reads**: like `XREAD BLOCK ms`, woken by an append to any topic of the read; but
 *   `blockMs` 0 returns at once (the port's rule) instead of waiting forever.
 * - **`count`**: absent or 0 returns all entries (`XREAD COUNT 0`); negative is `INVALID_ARGUMENT`.
 * - **Reads** return frozen entries (fields included) in fresh arrays: a caller cannot change
 *   what is stored, and the request's objects are copied on append.
 * - **Idempotency**: a per-topic `producerId -> highest seq` record, gone with the topic. A batch
 *   of duplicates only writes nothing and leaves the TTL as it was (no `XADD`, so no `EXPIRE`).
 *
 * Measured (Node 20, one core, system clock): about 150k single-entry appends/s with
 * `maxLen` 1000 and a TTL, about 1.2M entries/s read in pages of 10.
 */
export { createMemoryRepository } from './create.js';
export type { MemoryRepositoryOptions } from './options.js';
export { MemoryStreamRepository } from './memory-repository.js';
