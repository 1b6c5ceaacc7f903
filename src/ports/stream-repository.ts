import type { StreamId } from '../domain/stream-id.js';

/**
 * The fields of one stream entry, in insertion order. Field names and values are strings: the
 * codec turns events into fields and back; a backend stores and returns them byte for byte.
 */
export type EntryFields = Readonly<Record<string, string>>;

/** One entry as read back: its id and its fields. */
export interface StreamEntry {
  readonly id: StreamId;
  readonly fields: EntryFields;
}

/**
 * Makes a batch safe to retry. Each entry of the batch has a sequence number from one producer
 * (a publisher's message context); sequence numbers of one producer only ever grow. The backend
 * records the highest sequence it has appended for the producer on that topic, and skips,
 * atomically with the append, every entry whose sequence is not above it.
 */
export interface AppendIdempotency {
  /** Stable id of the producer, unique per topic (for example `publisherId:messageIndex`). */
  readonly producerId: string;
  /** One sequence number per entry, strictly increasing within the batch. */
  readonly seqs: readonly number[];
}

/**
 * Ties a batch to one message of the topic so the backend can keep exactly one terminal per
 * message (rule 10). The backend never parses entry fields: which message a batch belongs to and
 * whether its last entry is the message's terminal come from here.
 */
export interface AppendMessage {
  /** The message's key within the topic (the publisher sends the message index, `"0"`, `"1"`, …). Non-empty. */
  readonly key: string;
  /** True when the batch's last entry is the message's terminal (its `done`); every earlier entry is not. */
  readonly terminal: boolean;
}

/** One append: a batch of entries for one topic and the retention that goes with it. */
export interface AppendRequest {
  /** The stream's key, already prefixed (`task:<id>`). */
  readonly topic: string;
  /** The entries, appended in this order; an empty batch is a no-op that still refreshes nothing. */
  readonly entries: readonly EntryFields[];
  /** Approximate cap on the stream length (`MAXLEN ~`): after the append the stream holds at least this many entries when it has them, and a bounded number more; 0 disables trimming. */
  readonly maxLen: number;
  /**
   * Sliding time-to-live in seconds, reset by every append (and the idempotency record's with it).
   * 0 sends no expiry at all: a new topic then has none, and an existing TTL is left as it is
   * (as a bare `XADD` leaves it).
   */
  readonly ttlSeconds: number;
  /** When given, retried entries are skipped instead of written twice. */
  readonly idempotency?: AppendIdempotency;
  /** When given, the batch belongs to one message, and nothing is written after that message's terminal (rule 10). */
  readonly message?: AppendMessage;
}

/** What an append did. */
export interface AppendResult {
  /** Ids assigned to the entries written, in batch order (skipped duplicates have none). */
  readonly ids: readonly StreamId[];
  /** How many entries were skipped as already appended (idempotent retries). */
  readonly duplicates: number;
}

/** Options of a read. */
export interface ReadOptions {
  /** At most this many entries per topic; the backend may use its own default when absent. */
  readonly count?: number;
  /**
   * Wait up to this many milliseconds for an entry when none is there yet. 0 or absent: return
   * at once. Honoured only when {@link StreamRepositoryCapabilities.blockingReads} is true;
   * other backends return at once, and the caller polls.
   */
  readonly blockMs?: number;
  /** Ends a waiting read early; the read then resolves with what it has (usually nothing). */
  readonly signal?: AbortSignal;
}

/**
 * One topic's cursor in a multi-topic read. Not part of the port: the ioredis and Upstash adapters
 * and the memory backend offer `readMany` beyond it (the library multiplexes concurrent `read`s
 * inside each backend instead).
 */
export interface TopicCursor {
  readonly topic: string;
  /** Entries strictly after this id are returned. Never `$`: use {@link StreamRepository.tailId}. */
  readonly afterId: StreamId;
}

/** Entries read for one topic in a multi-topic read (beyond the port, see {@link TopicCursor}). Topics with no new entries are left out. */
export interface TopicEntries {
  readonly topic: string;
  readonly entries: readonly StreamEntry[];
}

/** What a backend knows about one stream. */
export interface StreamInfo {
  /** Entries currently held. */
  readonly length: number;
  /** Oldest retained entry's id, `0-0` when empty. */
  readonly firstId: StreamId;
  /** Newest entry's id ever assigned (kept after trimming), `0-0` when none. */
  readonly lastId: StreamId;
  /** Entries ever appended to this stream (Redis `entries-added`). */
  readonly entriesAdded: number;
  /**
   * Highest id removed by deletion, `0-0` when none (Redis `max-deleted-entry-id`). Redis 7.0
   * leaves it at `0-0` after `MAXLEN` trimming, so a gap check must not rely on it alone: compare
   * a resume point with {@link StreamInfo.firstId} and `entriesAdded - length` too.
   */
  readonly maxDeletedId: StreamId;
  /** Milliseconds until the key expires, or `null` when it has no time-to-live. */
  readonly ttlMs: number | null;
}

/** What a backend can do; the subscriber and the conformance suite adapt to it. */
export interface StreamRepositoryCapabilities {
  /** Reads can wait for entries server-side (`XREAD BLOCK`). When false, callers poll. */
  readonly blockingReads: boolean;
  /** A batch is appended atomically, in one round trip. */
  readonly atomicBatchAppend: boolean;
  /** {@link AppendRequest.idempotency} is honoured. */
  readonly idempotentAppend: boolean;
  /** {@link AppendRequest.message} is honoured: one terminal per message, nothing after it (rule 10). */
  readonly exactlyOneTerminal: boolean;
}

/**
 * The contract every taskstream backend honours: an ordered, append-only log per topic with
 * Redis Streams semantics. It speaks the domain (append, read after, tail), never Redis commands,
 * so a REST backend and a socket backend can both honour it. `src/conformance` checks every rule.
 *
 * Rules:
 * 1. **Ids.** Every entry gets a `ms-seq` id greater than every id the topic has ever assigned,
 *    even after trimming, deletion of entries, or a clock that goes backwards.
 * 2. **Order.** Entries of one append are stored in batch order, contiguous with respect to
 *    other appends to the same topic when {@link StreamRepositoryCapabilities.atomicBatchAppend}.
 * 3. **Reads after an id.** `read` returns entries with id strictly greater than `afterId`, in id
 *    order. A read never resolves `$` or any other moving position: an entry appended between two
 *    reads is returned by the second, whatever happened in between (an empty blocking read,
 *    a timeout, a reconnect).
 * 4. **Tail.** `tailId` is the newest id the topic has assigned, or `0-0` for a missing or
 *    empty topic. Subscribers snapshot it once, then read after it.
 * 5. **Blocking.** With `blockMs` and blocking support, a read with nothing to return waits
 *    until an entry arrives on its topic (then returns it) or the time runs out (then returns
 *    nothing). Concurrent blocking reads may be multiplexed by the backend (one server-side wait
 *    for many topics), but each read gets only its own topic's entries after its own cursor, and
 *    waiting reads never delay appends. An aborted read resolves promptly with nothing. There is
 *    no multi-topic read in the port: a process reading many tasks issues one `read` per task,
 *    and the backend batches them.
 * 6. **Retention.** `maxLen` trims approximately from the oldest end and never removes entries
 *    appended by the current call; `ttlSeconds` sets a sliding expiry that every append renews;
 *    0 disables each (with `ttlSeconds` 0 the append leaves any existing TTL untouched). A
 *    backend may skip a renewal that is already fresh: when the remaining time is within
 *    min(1 s, `ttlSeconds`/10) of `ttlSeconds` (same `ttlSeconds`), so right after an append a
 *    reader never sees `info().ttlMs` below `ttlSeconds × 1000` minus that slack. A batch
 *    made only of skipped duplicates writes nothing and renews nothing. An expired topic behaves as missing (tail `0-0`, no entries), and ids
 *    it assigns afterwards start again from the clock.
 * 7. **Idempotence.** With {@link AppendRequest.idempotency} and support for it, an entry whose
 *    producer sequence was already appended is skipped and counted in
 *    {@link AppendResult.duplicates}; the record lives and expires with the topic.
 * 8. **Deletion.** Only `deleteTopic` removes a topic; readers never delete.
 * 9. **Errors.** Failures are rejected as `TaskStreamError` (`BACKEND_UNAVAILABLE`,
 *    `BACKEND_AUTH`, `BACKEND_COMMAND`, `CLOSED`), with the underlying error as `cause`. A
 *    malformed request (empty topic, an entry without fields or with a non-string value, a
 *    negative or fractional `maxLen`/`ttlSeconds`, sequence numbers that are negative, not one per
 *    entry or not increasing, an id that is not `ms-seq`) is rejected with `INVALID_ARGUMENT` or
 *    `INVALID_STREAM_ID` before anything is written. Producer ids starting with `#` are reserved
 *    (the terminal record of rule 10 shares the idempotency record) and rejected the same way.
 * 10. **One terminal per message.** With {@link AppendRequest.message} and
 *    {@link StreamRepositoryCapabilities.exactlyOneTerminal}, the backend records, atomically with
 *    the append, that the message's terminal was written (when `message.terminal` is true). Any
 *    later append for that message that would write at least one entry is rejected as a whole
 *    with `TaskStreamError` `AFTER_TERMINAL`, writing nothing, not even its non-terminal entries,
 *    and renewing nothing. Idempotent duplicates are skipped first (rule 7), so a retry of the very
 *    batch that wrote the terminal still resolves, as duplicates. Of two producers racing to end
 *    one message, exactly one terminal lands; the other gets `AFTER_TERMINAL`. The record lives
 *    and expires with the topic (and goes with `deleteTopic`), like the idempotency record.
 */
export interface StreamRepository {
  /** What this backend supports. */
  readonly capabilities: StreamRepositoryCapabilities;
  /** Appends a batch to one topic, trims, renews the TTL (rules 1, 2, 6, 7, 10). */
  append(request: AppendRequest): Promise<AppendResult>;
  /** Entries of one topic strictly after `afterId` (rules 3, 5). */
  read(topic: string, afterId: StreamId, options?: ReadOptions): Promise<readonly StreamEntry[]>;
  /** The newest id of a topic, `0-0` when missing or empty (rule 4). */
  tailId(topic: string): Promise<StreamId>;
  /** Length, bounds, trimming history and TTL of a topic; `null` when it does not exist. */
  info(topic: string): Promise<StreamInfo | null>;
  /** Removes a topic with its idempotency and terminal records (rules 8, 10). Resolves true when it existed. */
  deleteTopic(topic: string): Promise<boolean>;
  /** Releases connections and timers the backend opened (not those supplied by the user). Idempotent. */
  close(): Promise<void>;
}
