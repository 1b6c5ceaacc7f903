/**
 * `taskstream/resumable-stream`: a drop-in for the `resumable-stream` package (2.x) on
 * taskstream's backends. Change one import line:
 *
 * ```ts
 * import { createResumableStreamContext } from 'taskstream/resumable-stream';
 * ```
 *
 * Same options and methods; streams are kept as entries in a Redis stream (or the memory or
 * Upstash backend), so a reader resumes on any instance even after the writer exited, a stream
 * whose writer vanished ends after a lease, `stopStream` stops a stream from anywhere, and every
 * reader of a process shares one multiplexed reader connection. See docs/ai-sdk.md.
 */
export { createResumableStreamContext } from './context.js';
export { closeSharedRepositories } from './backend.js';
export type {
  ChunkBatching,
  CreateResumableStreamContextOptions,
  MakeStream,
  MakeStreamOptions,
  ResumableChunk,
  ResumableStreamContext,
  ResumeOptions,
} from './options.js';
