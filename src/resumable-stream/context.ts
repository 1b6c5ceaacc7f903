import type { Cluster, Redis } from 'ioredis';
import { systemClock } from '../adapters/clock/system-clock.js';
import { consoleLogger } from '../adapters/logger/console-logger.js';
import type { StreamRepository } from '../ports/stream-repository.js';
import { TaskStreamError } from '../domain/errors.js';
import { ZERO_ID, parseStreamId } from '../domain/stream-id.js';
import { resolveRepository } from './backend.js';
import { asText, openChunkReader, type ReaderDeps } from './chunk-reader.js';
import { encodeRecord } from './entries.js';
import type { CreateResumableStreamContextOptions, MakeStream, ResumableChunk, ResumableStreamContext, ResumeOptions } from './options.js';
import { checkSkip, resolveResumableSettings, topicsOf, type StreamTopics } from './settings.js';
import { readStreamState } from './stream-state.js';
import { StreamWriter } from './writer.js';

/** The idempotency producer of a stream's `open` entry: only the first claim of a stream id writes it. */
const CREATOR = 'resumable-stream:creator';

/**
 * Creates a context for resumable streams: a drop-in for `resumable-stream` 2.x's
 * `createResumableStreamContext` (same options, same four methods, same results), whose streams
 * live as entries in a stream of the backend instead of in the writer's memory. A reader on any
 * instance resumes from the backend, also after the writer exited; a stream whose writer stopped
 * heartbeating for `leaseMs` is ended for everyone; `stopStream` works from any instance.
 *
 * The backend is resolved lazily on first use (see {@link CreateResumableStreamContextOptions.repository}).
 * Bad options throw `INVALID_CONFIG`; a bad `streamId` or `skipCharacters` rejects `INVALID_ARGUMENT`.
 *
 * @example
 * import { createResumableStreamContext } from 'taskstream/resumable-stream';
 * const streamContext = createResumableStreamContext({ waitUntil: null });
 * const stream = await streamContext.resumableStream(streamId, () => makeSseStream());
 */
export function createResumableStreamContext(options: CreateResumableStreamContextOptions): ResumableStreamContext {
  const settings = resolveResumableSettings(options);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const waitUntil = options.waitUntil ?? ((promise: Promise<unknown>) => void promise.catch(() => undefined));
  const backend = options.repository ?? publisherClient(options.publisher);
  let repository: Promise<StreamRepository> | undefined;
  const deps = async (): Promise<ReaderDeps> => {
    repository ??= resolveRepository(backend, clock, logger);
    return { repository: await repository, clock, logger, leaseMs: settings.leaseMs, ttlSeconds: settings.ttlSeconds, pollMs: settings.pollMs };
  };

  /** Writes the `open` entry unless another instance already did; true when this call created the stream. */
  const claim = async (d: ReaderDeps, topics: StreamTopics): Promise<boolean> => {
    const entries = [encodeRecord({ kind: 'open', at: clock.now(), leaseMs: settings.leaseMs })];
    if (!d.repository.capabilities.idempotentAppend) {
      // Without idempotent appends two instances racing here may both create (and their output interleave); memory, ioredis and Upstash all append idempotently.
      if ((await d.repository.info(topics.data)) !== null) return false;
    }
    const result = await d.repository.append({ topic: topics.data, entries, maxLen: settings.maxLen, ttlSeconds: settings.ttlSeconds, idempotency: { producerId: CREATOR, seqs: [0] } });
    return result.ids.length > 0;
  };

  const write = (d: ReaderDeps, topics: StreamTopics, makeStream: MakeStream): ReadableStream<string> => {
    const writer = new StreamWriter({ ...d, settings, onError: options.onError }, topics, clock.now());
    const stream = writer.start(makeStream);
    waitUntil(writer.finished);
    return stream;
  };

  const reader = async <T>(streamId: string, skipCharacters: number, resume: ResumeOptions, shape: (id: string, text: string) => T): Promise<ReadableStream<T> | null | undefined> => {
    const topics = topicsOf(settings.keyPrefix, streamId);
    const afterId = resume.resumeAt === undefined ? ZERO_ID : checkResumeAt(resume.resumeAt);
    const d = await deps();
    const state = await readStreamState(d, topics.data);
    if (state === 'missing') return undefined;
    if (state === 'done' && !settings.replayFinished) return null;
    return openChunkReader(d, { topic: topics.data, afterId, skipCharacters, signal: resume.signal }, shape);
  };

  return {
    keyPrefix: settings.keyPrefix,
    waitUntil,
    async resumableStream(streamId, makeStream, skipCharacters) {
      const topics = topicsOf(settings.keyPrefix, streamId);
      const skip = checkSkip(skipCharacters);
      const d = await deps();
      if (await claim(d, topics)) return write(d, topics, makeStream);
      return (await reader(streamId, skip, {}, asText)) ?? null;
    },
    async createNewResumableStream(streamId, makeStream) {
      const topics = topicsOf(settings.keyPrefix, streamId);
      const d = await deps();
      if (!(await claim(d, topics))) {
        // A new stream under a used id replaces the old one, as resumable-stream's fresh sentinel does.
        await Promise.all([d.repository.deleteTopic(topics.data), d.repository.deleteTopic(topics.control)]);
        await claim(d, topics);
      }
      return write(d, topics, makeStream);
    },
    async resumeExistingStream(streamId, skipCharacters, resume = {}) {
      return reader(streamId, checkSkip(skipCharacters), resume, asText);
    },
    async resumeExistingChunks(streamId, resume = {}) {
      return reader(streamId, checkSkip(resume.skipCharacters), resume, (id, text): ResumableChunk => ({ id, text }));
    },
    async hasExistingStream(streamId) {
      const topics = topicsOf(settings.keyPrefix, streamId);
      const state = await readStreamState(await deps(), topics.data);
      return state === 'missing' ? null : state === 'done' ? 'DONE' : true;
    },
    async stopStream(streamId) {
      const topics = topicsOf(settings.keyPrefix, streamId);
      const d = await deps();
      if ((await readStreamState(d, topics.data)) !== 'live') return false;
      const entries = [encodeRecord({ kind: 'stop', at: clock.now() })];
      const request = { entries, maxLen: settings.maxLen, ttlSeconds: settings.ttlSeconds };
      await Promise.all([d.repository.append({ ...request, topic: topics.control }), d.repository.append({ ...request, topic: topics.data })]);
      return true;
    },
  };
}

/** resumable-stream's `publisher`, when it is an ioredis client we can use as the backend. */
function publisherClient(publisher: unknown): Redis | Cluster | undefined {
  if (publisher === undefined || publisher === null) return undefined;
  const client = publisher as { xadd?: unknown; evalsha?: unknown };
  if (typeof client.xadd === 'function' && typeof client.evalsha === 'function') return publisher as Redis | Cluster;
  throw new TaskStreamError('INVALID_CONFIG', 'publisher: only an ioredis client can be the backend; pass `repository` (a StreamRepository or an ioredis client) or set TASKSTREAM_BACKEND', {
    details: { variable: 'publisher' },
  });
}

function checkResumeAt(resumeAt: unknown): string {
  try {
    parseStreamId(resumeAt as string);
    return resumeAt as string;
  } catch (err) {
    throw new TaskStreamError('INVALID_RESUME_POINT', `resumeAt must be an entry id (ms-seq), got ${JSON.stringify(String(resumeAt)).slice(0, 60)}`, { cause: err, details: { resumeAt: String(resumeAt).slice(0, 60) } });
  }
}
