import { requireIntegerArgument, requireNonNegativeInteger } from '../domain/validation.js';
import { TaskStreamError } from '../domain/errors.js';
import type { ChunkBatching, CreateResumableStreamContextOptions } from './options.js';

/** The context's options, validated, with defaults filled in. */
export interface ResumableSettings {
  readonly keyPrefix: string;
  readonly ttlSeconds: number;
  readonly maxLen: number;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly batching: ChunkBatching;
  readonly flushIntervalMs: number;
  readonly maxBufferedChars: number;
  readonly replayFinished: boolean;
  readonly pollMs: number;
}

/** Throws `INVALID_CONFIG` naming the option. */
export function resolveResumableSettings(options: CreateResumableStreamContextOptions): ResumableSettings {
  const leaseMs = requireNonNegativeInteger('leaseMs', options.leaseMs ?? 30_000, 1);
  const heartbeatMs = requireNonNegativeInteger('heartbeatMs', options.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3)), 1);
  if (heartbeatMs >= leaseMs) {
    throw new TaskStreamError('INVALID_CONFIG', `heartbeatMs (${heartbeatMs}) must be below leaseMs (${leaseMs})`, { details: { variable: 'heartbeatMs', value: heartbeatMs } });
  }
  const batching = options.batching ?? 'coalesced';
  if (batching !== 'per_chunk' && batching !== 'coalesced') {
    throw new TaskStreamError('INVALID_CONFIG', `batching must be "per_chunk" or "coalesced", got ${JSON.stringify(batching)}`, { details: { variable: 'batching', value: batching } });
  }
  if (options.keyPrefix !== undefined && typeof options.keyPrefix !== 'string') {
    throw new TaskStreamError('INVALID_CONFIG', 'keyPrefix must be a string', { details: { variable: 'keyPrefix' } });
  }
  return {
    // Same key space as resumable-stream: an empty prefix means the default, as there.
    keyPrefix: `${options.keyPrefix || 'resumable-stream'}:rs`,
    ttlSeconds: requireNonNegativeInteger('ttlSeconds', options.ttlSeconds ?? 86_400),
    maxLen: requireNonNegativeInteger('maxLen', options.maxLen ?? 0),
    leaseMs,
    heartbeatMs,
    batching,
    flushIntervalMs: requireNonNegativeInteger('flushIntervalMs', options.flushIntervalMs ?? 50),
    maxBufferedChars: requireNonNegativeInteger('maxBufferedChars', options.maxBufferedChars ?? 4096, 1),
    replayFinished: options.replayFinished === true,
    pollMs: requireNonNegativeInteger('pollMs', options.pollMs ?? 100, 1),
  };
}

/** The data topic and the control topic (stop requests) of a stream; one hash tag, so one cluster slot. */
export interface StreamTopics {
  readonly data: string;
  readonly control: string;
}

export function topicsOf(keyPrefix: string, streamId: unknown): StreamTopics {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 512 || /[\u0000-\u001f\u007f]/u.test(streamId)) {
    throw new TaskStreamError('INVALID_ARGUMENT', `invalid streamId ${JSON.stringify(String(streamId)).slice(0, 80)}: use 1-512 characters without control characters`, {
      details: { streamId: String(streamId).slice(0, 80) },
    });
  }
  const data = `${keyPrefix}:{${streamId}}`;
  return { data, control: `${data}:ctl` };
}

/** `skipCharacters` as resumable-stream reads it (`slice(n)`): absent or a non-negative integer. */
export function checkSkip(skipCharacters: unknown): number {
  if (skipCharacters === undefined || skipCharacters === null) return 0;
  return requireIntegerArgument('skipCharacters', skipCharacters);
}
