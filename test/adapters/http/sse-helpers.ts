import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../../src/adapters/memory/index.js';
import { agentexCodec } from '../../../src/domain/codec/index.js';
import { createPublisher } from '../../../src/defaults.js';
import type { Publisher } from '../../../src/domain/publisher/index.js';
import { createSubscriber } from '../../../src/defaults.js';
import type { Subscriber, SubscriberTuning } from '../../../src/domain/subscriber/index.js';
import type { StreamRepository } from '../../../src/ports/stream-repository.js';

/** A memory backend, publisher and subscriber on one fake clock. */
export interface World {
  readonly clock: FakeClock;
  readonly repository: StreamRepository;
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
}

export function createWorld(
  options: { clock?: FakeClock; repository?: StreamRepository; tuning?: Partial<SubscriberTuning>; maxLen?: number } = {},
): World {
  const clock = options.clock ?? new FakeClock();
  const repository = options.repository ?? createMemoryRepository({ clock });
  const settings = { coalesce: 'off' as const, ...(options.maxLen !== undefined ? { maxLen: options.maxLen } : {}) };
  const publisher = createPublisher({ repository, codec: agentexCodec, clock, settings });
  const subscriber = createSubscriber({ repository, codec: agentexCodec, clock, ...(options.tuning ? { tuning: options.tuning } : {}) });
  return { clock, repository, publisher, subscriber };
}

/** Publishes one text message made of `tokens` (one delta each) and its done. */
export async function publishMessage(publisher: Publisher, taskId: string, tokens: readonly string[], index?: number): Promise<void> {
  const message = publisher.open(taskId, { start: { type: 'text', author: 'agent', content: '' }, ...(index !== undefined ? { index } : {}) });
  for (const token of tokens) message.delta({ type: 'text', textDelta: token });
  await message.done({ agent: "test" });
}

/** Reads an SSE body incrementally: parsed events, comments and retry hints as they arrive. */
export class SseBody {
  readonly events: EventSourceMessage[] = [];
  readonly comments: string[] = [];
  readonly retries: number[] = [];
  ended = false;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #done: Promise<void>;

  constructor(body: ReadableStream<Uint8Array>) {
    const reader = body.getReader();
    this.#reader = reader;
    const parser = createParser({
      onEvent: (e) => this.events.push(e),
      onComment: (c) => this.comments.push(c.trim()),
      onRetry: (r) => this.retries.push(r),
    });
    const decoder = new TextDecoder();
    this.#done = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(decoder.decode(value, { stream: true }));
        }
      } catch {
        // cancelled
      } finally {
        this.ended = true;
      }
    })();
  }

  /** Event types received so far. */
  get types(): string[] {
    return this.events.map((e) => e.event ?? 'message');
  }

  /** The parsed JSON of every event of `type`. */
  data(type: string): unknown[] {
    return this.events.filter((e) => e.event === type).map((e) => JSON.parse(e.data) as unknown);
  }

  /** Waits (real microtasks/macrotasks, bounded) until `predicate` holds. */
  async until(predicate: () => boolean, what = 'condition', turns = 2000): Promise<void> {
    for (let i = 0; i < turns; i++) {
      if (predicate()) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`timed out waiting for ${what}; got events ${JSON.stringify(this.types)}`);
  }

  /** Resolves when the body has ended. */
  finished(): Promise<void> {
    return this.#done;
  }

  /** Disconnects like a client going away. */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
    await this.#done;
  }
}

export function sseRequest(path: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost${path}`, { headers });
}
