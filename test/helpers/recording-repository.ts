import type { AppendRequest, AppendResult, StreamEntry, StreamRepository } from '../../src/ports/stream-repository.js';
import type { Clock } from '../../src/ports/clock.js';
import { TaskStreamError } from '../../src/domain/errors.js';
import { wrapRepository } from '../../src/conformance/wrap-repository.js';
import { createMemoryRepository } from '../../src/adapters/memory/create.js';

/** How an injected failure behaves: `before` fails without writing; `after` writes, then fails (an ambiguous failure, like a lost reply). */
export type FailureMode = 'before' | 'after';

/** What a test can see and steer on a {@link recordingRepository}. */
export interface RecordingControls {
  /** Every append call, in call order (including failed and rejected ones). */
  readonly requests: AppendRequest[];
  /** Highest number of concurrent appends seen on one topic. */
  readonly maxConcurrentPerTopic: number;
  /** Entries the backend skipped as idempotent duplicates, in all. */
  readonly duplicatesSkipped: number;
  /** Fails the next `count` appends (Infinity: every append). */
  failNext(count: number, mode?: FailureMode, error?: () => unknown): void;
  /** Holds every append until the returned function is called. */
  hold(): () => void;
  /** Every stored entry of a topic, read from the memory backend. */
  entries(topic: string): Promise<readonly StreamEntry[]>;
}

export type RecordingRepository = StreamRepository & RecordingControls;

interface Failure {
  remaining: number;
  readonly mode: FailureMode;
  readonly error: () => unknown;
}

/**
 * The real memory backend (ids, request validation, idempotency, one terminal per message)
 * wrapped with fault injection for publisher tests: it records every append request, can fail
 * the next N appends before or after writing, hold appends until released, and counts concurrent
 * appends per topic.
 */
export function recordingRepository(clock: Clock): RecordingRepository {
  const memory = createMemoryRepository({ clock });
  const inFlight = new Map<string, number>();
  const stats = { maxConcurrentPerTopic: 0, duplicatesSkipped: 0 };
  let failure: Failure | undefined;
  let gate: Promise<void> | undefined;

  const takeFailure = (): Failure | undefined => {
    if (failure === undefined || failure.remaining <= 0) return undefined;
    failure.remaining--;
    return failure;
  };

  const append = async (request: AppendRequest): Promise<AppendResult> => {
    controls.requests.push(request);
    const running = (inFlight.get(request.topic) ?? 0) + 1;
    inFlight.set(request.topic, running);
    stats.maxConcurrentPerTopic = Math.max(stats.maxConcurrentPerTopic, running);
    try {
      await Promise.resolve();
      if (gate !== undefined) await gate;
      const injected = takeFailure();
      if (injected?.mode === 'before') throw injected.error();
      const result = await memory.append(request);
      stats.duplicatesSkipped += result.duplicates;
      if (injected?.mode === 'after') throw injected.error();
      return result;
    } finally {
      inFlight.set(request.topic, (inFlight.get(request.topic) ?? 1) - 1);
    }
  };

  const controls: RecordingControls = {
    requests: [],
    get maxConcurrentPerTopic() { return stats.maxConcurrentPerTopic; },
    get duplicatesSkipped() { return stats.duplicatesSkipped; },
    failNext(count, mode = 'before', error = () => new TaskStreamError('BACKEND_UNAVAILABLE', 'injected failure')) {
      failure = { remaining: count, mode, error };
    },
    hold() {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      gate = held;
      return () => {
        if (gate === held) gate = undefined;
        release();
      };
    },
    entries: (topic) => memory.read(topic, '0-0'),
  };
  return Object.defineProperties(wrapRepository(memory, { append }), Object.getOwnPropertyDescriptors(controls)) as RecordingRepository;
}
