/**
 * The write side: `createPublisher` → `Publisher.open(taskId)` → `MessageContext`.
 *
 * **Coalesce modes** (`StreamSettings.coalesce`):
 * - `off`: no batching at all. Each delta is its own entry and its own append (one `XADD` per
 *   token), sent in call order, one append in flight per message; deltas that arrive while one is
 *   in flight wait, unmerged. No timer is ever armed.
 * - `per_token`: each delta is still its own entry with its own `seq` (readers see every token
 *   exactly as produced), but entries that pile up while an append is in flight go out together
 *   in the next append (up to `maxBatchEntries`, atomically). No added latency, no timer.
 * - `coalesced` (default): the first delta of a message is sent at once; later ones wait up to
 *   `flushIntervalMs` (or until `maxBufferedChars` code points are buffered) and consecutive
 *   deltas of the same kind (same reasoning index, same tool call) merge into one entry with one
 *   `seq`. One timer per message exists only while it has buffered, unsent deltas.
 *
 * **Ordering and terminal.** Appends of one message are strictly sequential, so stream order is
 * call order. `full()` and `done()` first hand every buffered delta to the queue; exactly one
 * `done` is published, last: the caller's, or an empty one synthesized by `close()` (also on
 * `await using` scope exit, an aborted `signal`, or `Publisher.close()`). Sending after `full`/
 * `done` throws/rejects `AFTER_TERMINAL`; after `close()` `CLOSED`. Nothing refused is published.
 *
 * **Failures.** Every append carries `idempotency { producerId, seqs }` (`producerId` =
 * `<publisherId>:m<index>:<n>`, unique per context; `seqs` = per-message sequence numbers), so a
 * retry after an ambiguous failure never duplicates. Retries back off on the injected Clock
 * (`RetryPolicy`). When they run out, the message stops (later entries are kept, never appended
 * out of order), `onError` gets `PUBLISH_FAILED` once, and `full`/`done`/`close`/`flush` reject
 * with it (`cause` = the backend error, `details.unsent` = entries not appended).
 *
 * **Memory bounds.** Per message: at most one batch in flight, plus what waits. In `coalesced`
 * mode what waits keeps merging while an append is in flight, so a slow backend grows the text of
 * a few entries (one per change of kind), not their number. In `off`/`per_token` modes waiting
 * deltas are separate entries; past `maxPendingEntries` mergeable ones merge anyway, so the
 * entry count stays bounded while no text is ever dropped. Text itself is bounded only by what
 * the producer sends: a producer that must bound it awaits `ctx.flush()` (backpressure), which
 * resolves once everything sent so far is appended. Idle contexts hold no timer and no pending
 * promise on the Clock; task-level producers are dropped once idle.
 *
 * **Entry size.** No entry's payload exceeds `StreamSettings.maxEntryBytes` (1 MiB): a larger
 * delta is split into deltas of the same kind that concatenate to it (never inside a code point)
 * and merging stops at it; a larger start, full, done or task event is refused at the call with
 * `INVALID_ARGUMENT` naming the limit, and nothing is published.
 */
export { createDomainPublisher, type Publisher, type PublisherOptions, type OpenOptions } from './publisher.js';
export type { MessageContext, MessageState } from './message-context.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './publish-queue.js';
export { codePointLength, canMerge, mergeDeltas } from './delta-merge.js';
