import type { Cluster, Redis } from 'ioredis';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { StreamRepository } from '../ports/stream-repository.js';
import type { TaskStreamError } from '../domain/errors.js';

/** How a writer batches chunks on their way to the backend. */
export type ChunkBatching = 'per_chunk' | 'coalesced';

/**
 * Options of {@link createResumableStreamContext}: those of `resumable-stream` 2.x (`keyPrefix`,
 * `waitUntil`) plus taskstream's. `publisher`/`subscriber` are not needed: the backend is
 * `repository`, or the environment.
 */
export interface CreateResumableStreamContextOptions {
  /** Prefix of every key (`<keyPrefix>:rs:{<streamId>}`). @default "resumable-stream" */
  readonly keyPrefix?: string;
  /**
   * Keeps the program alive until a promise settles (Next.js `after`, Vercel `waitUntil`); each
   * writer hands it the promise of its stream being fully written. `null` on a long-lived server.
   */
  readonly waitUntil: ((promise: Promise<unknown>) => void) | null;
  /**
   * The backend: any {@link StreamRepository}, or an ioredis `Redis`/`Cluster` client (wrapped
   * with `createIoredisRepository({ client })`, one wrapper per client and process, never closed by us).
   * @default the backend the environment names, as the container reads it (`TASKSTREAM_BACKEND`
   * = `memory` | `redis` | `upstash`, `REDIS_URL`, `UPSTASH_REDIS_REST_URL`/`_TOKEN`), one per process
   */
  readonly repository?: StreamRepository | Redis | Cluster;
  /**
   * resumable-stream's option, accepted so that moving an app is one import line: an ioredis
   * client given here is the backend when `repository` is absent. Other clients (node-redis,
   * hand-written pub/sub adapters) cannot carry streams: `INVALID_CONFIG`; pass `repository`.
   */
  readonly publisher?: unknown;
  /** resumable-stream's option; not needed (readers share the backend's one reader connection), so it is ignored. */
  readonly subscriber?: unknown;
  /** resumable-stream's option; ignored: the end of a stream is an entry in it, so it cannot be lost as a pub/sub message can. */
  readonly doneWatchdogIntervalMs?: number;
  /** Clock for leases, heartbeats, batching and retries. @default systemClock */
  readonly clock?: Clock;
  /** Where append failures and backend fallbacks are reported. @default warnings and errors to console */
  readonly logger?: Logger;
  /** Called when a writer could not append even after retries (the stream then ends by lease). */
  readonly onError?: (error: TaskStreamError) => void;
  /** How long a stream lives after it ended or its writer last renewed it, in seconds: renewed at most every quarter of it while written (so an append rarely pays for it), and by the end. @default 86400 (24 h, as `resumable-stream`) */
  readonly ttlSeconds?: number;
  /** Approximate cap on entries per stream; 0 keeps all (a resume replays from the start). @default 0 */
  readonly maxLen?: number;
  /** A stream whose writer wrote nothing (not even a heartbeat) for this long is ended for every reader, in ms. @default 30000 */
  readonly leaseMs?: number;
  /** How often an idle writer proves it is alive, in ms; must be below `leaseMs`. @default leaseMs / 3 */
  readonly heartbeatMs?: number;
  /** `per_chunk`: one entry per chunk (batched only while an append is in flight); `coalesced`: chunks within `flushIntervalMs` join into one entry. @default "coalesced" */
  readonly batching?: ChunkBatching;
  /** In `coalesced` mode, longest a chunk waits before it is appended, in ms (the first chunk never waits). @default 50 */
  readonly flushIntervalMs?: number;
  /** In `coalesced` mode, buffered characters that trigger an append at once. @default 4096 */
  readonly maxBufferedChars?: number;
  /** `resumeExistingStream`/`resumableStream` on a finished stream replays it (while retained) instead of returning `null`. @default false */
  readonly replayFinished?: boolean;
  /** Backends that cannot block (Upstash): how often readers poll, in ms (writers look for a stop request at most once a second). @default 100 */
  readonly pollMs?: number;
}

/** Receives the signal that fires when the stream is stopped (`stopStream`, from any instance). */
export interface MakeStreamOptions {
  readonly signal: AbortSignal;
}

/** Makes the source stream; only called by the instance that creates the stream. */
export type MakeStream = (options: MakeStreamOptions) => ReadableStream<string>;

/** Options of a resume beyond `skipCharacters`. */
export interface ResumeOptions {
  /** Only text after this entry id (from {@link ResumableStreamContext.resumeExistingChunks}). */
  readonly resumeAt?: string;
  /** Ends the returned stream early (as cancelling it does). */
  readonly signal?: AbortSignal;
}

/** One piece of a stream with the id of the entry it came from (the exact resume point after it). */
export interface ResumableChunk {
  readonly id: string;
  readonly text: string;
}

/** The context: `resumable-stream` 2.x's four methods, same semantics, plus taskstream's. */
export interface ResumableStreamContext {
  /** `<keyPrefix>:rs`, as `resumable-stream` names it. */
  readonly keyPrefix: string;
  /** The `waitUntil` in use (a no-op stand-in for `null`). */
  readonly waitUntil: (promise: Promise<unknown>) => void;
  /**
   * Creates the stream when nobody has (atomically, across instances), else resumes it.
   * @returns the stream's text (from the start, or after `skipCharacters` when resuming); `null`
   * when the stream is already done (unless `replayFinished`).
   */
  resumableStream(streamId: string, makeStream: MakeStream, skipCharacters?: number): Promise<ReadableStream<string> | null>;
  /**
   * Creates a stream (replacing any older one with the same id) and returns `makeStream`'s text
   * straight from the source. The source is read to the end even if this stream is cancelled.
   */
  createNewResumableStream(streamId: string, makeStream: MakeStream, skipCharacters?: number): Promise<ReadableStream<string> | null>;
  /**
   * Resumes a stream created on any instance, even after its writer exited.
   * @returns everything written after `skipCharacters` characters (or after `options.resumeAt`),
   * then what follows, ending with the stream; `null` when it is done (unless `replayFinished`),
   * `undefined` when there is no such stream.
   */
  resumeExistingStream(streamId: string, skipCharacters?: number, options?: ResumeOptions): Promise<ReadableStream<string> | null | undefined>;
  /** As {@link resumeExistingStream}, with each piece's entry id (to resume exactly with `resumeAt`). */
  resumeExistingChunks(streamId: string, options?: ResumeOptions & { readonly skipCharacters?: number }): Promise<ReadableStream<ResumableChunk> | null | undefined>;
  /** `null`: no such stream; `true`: it is being written; `"DONE"`: it ended (or its writer's lease expired). */
  hasExistingStream(streamId: string): Promise<null | true | 'DONE'>;
  /**
   * Stops a stream from any instance: its writer's source is cancelled and the signal given to
   * `makeStream` fires; every reader ends. Resolves `true` when a live stream was stopped.
   */
  stopStream(streamId: string): Promise<boolean>;
}
