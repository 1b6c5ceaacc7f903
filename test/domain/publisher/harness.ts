import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import type { StreamSettings } from '../../../src/domain/config.js';
import type { MessageEvent, TaskEvent } from '../../../src/domain/events.js';
import type { TaskStreamError } from '../../../src/domain/errors.js';
import { createPublisher } from '../../../src/defaults.js';
import type { Publisher, PublisherOptions } from '../../../src/domain/publisher/publisher.js';
import { agentexCodec } from '../../../src/domain/codec/agentex-codec.js';
import { recordingRepository } from '../../helpers/recording-repository.js';
import type { RecordingRepository } from '../../helpers/recording-repository.js';
import { silentLogger } from '../../helpers/silent-logger.js';

export interface Harness {
  readonly clock: FakeClock;
  readonly repo: RecordingRepository;
  readonly publisher: Publisher;
  readonly errors: TaskStreamError[];
  /** Decoded events stored for a task (read from the memory backend). */
  events(taskId?: string): Promise<TaskEvent[]>;
  /** Decoded message events of one message index. */
  message(index: number, taskId?: string): Promise<MessageEvent[]>;
}

export function harness(settings: Partial<StreamSettings> = {}, extra: Partial<PublisherOptions> = {}): Harness {
  const clock = new FakeClock();
  const repo = recordingRepository(clock);
  const errors: TaskStreamError[] = [];
  const publisher = createPublisher({
    repository: repo,
    clock,
    settings,
    idGenerator: () => 'pub',
    logger: silentLogger,
    onError: (e) => errors.push(e),
    ...extra,
  });
  const events = async (taskId = 't1'): Promise<TaskEvent[]> =>
    (await repo.entries(`task:${taskId}`)).map((entry) => agentexCodec.decode(entry) as TaskEvent);
  const message = async (index: number, taskId = 't1'): Promise<MessageEvent[]> =>
    (await events(taskId)).filter((e): e is MessageEvent => 'index' in e && e.index === index);
  return { clock, repo, publisher, errors, events, message };
}

/** Text of every text delta, in stream order. */
export function textOf(events: readonly TaskEvent[]): string {
  return events.map((e) => (e.type === 'delta' && e.delta.type === 'text' ? e.delta.textDelta : '')).join('');
}
