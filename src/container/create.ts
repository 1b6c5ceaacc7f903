import 'reflect-metadata';
import { Container } from 'inversify';
import { agentexCodec } from '../domain/codec/agentex-codec.js';
import type { EventCodec } from '../domain/codec/event-codec.js';
import { createPublisher, createSubscriber } from '../defaults.js';
import type { Publisher, PublisherOptions } from '../domain/publisher/index.js';
import type { Subscriber, SubscriberTuning } from '../domain/subscriber/index.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { StreamRepository } from '../ports/stream-repository.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import { consoleLogger } from '../adapters/logger/console-logger.js';
import type { SseOptions } from '../adapters/http/sse-options.js';
import { loadRepositoryFactory } from './backends.js';
import { backendSecrets, validateConfig, type BackendConfig, type TaskStreamConfig } from './config.js';
import { redactingLogger } from './redacting-logger.js';
import { SseEndpoint } from './sse-endpoint.js';
import { TYPES } from './tokens.js';

/** What {@link createContainer} takes besides the config. Everything supplied here is yours: the container never closes it. */
export interface ContainerOptions {
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default warnings and errors to the console */
  readonly logger?: Logger;
  /** @default agentexCodec */
  readonly codec?: EventCodec;
  /** A repository you opened: bound instead of the configured backend's, and never closed by the container. @default the backend of `config` */
  readonly repository?: StreamRepository;
  /** Extra publisher options (retry, error callback, …). @default {} */
  readonly publisher?: Partial<Omit<PublisherOptions, 'repository' | 'codec' | 'clock' | 'settings'>>;
  /** Subscriber timing and retries. @default DEFAULT_SUBSCRIBER_TUNING */
  readonly subscriberTuning?: Partial<SubscriberTuning>;
  /** Options of the container's {@link SseEndpoint}. @default {} */
  readonly sse?: SseOptions;
}

/** An inversify container with taskstream bound, and typed access to its services. */
export interface TaskStreamContainer extends AsyncDisposable {
  /** The inversify container: bind your own services next to `TYPES`. */
  readonly container: Container;
  readonly config: TaskStreamConfig;
  /** The bound clock. */
  readonly clock: Clock;
  /** The bound repository (opened on first use). */
  readonly repository: StreamRepository;
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
  readonly sse: SseEndpoint;
  /**
   * Closes what the container opened, and only that, once: the publisher (its messages are
   * drained and get their `done`), then the repository it created. Services never resolved
   * were never opened and are not touched; a repository passed in `options` is left open.
   */
  close(): Promise<void>;
}

/**
 * Builds the composition root: binds the `StreamRepository` port to the configured backend
 * (its adapter imported only now), the codec, clock, logger, publisher, subscriber and SSE
 * endpoint, all singletons created on first use.
 *
 * @example
 * const ts = await createContainer(configFromEnv(process.env));
 * await using _ = ts;
 * const message = ts.publisher.open('task-1');
 */
export async function createContainer(
  config: TaskStreamConfig | { backend: BackendConfig; settings?: TaskStreamConfig['settings'] },
  options: ContainerOptions = {},
): Promise<TaskStreamContainer> {
  const resolved = validateConfig(config);
  const clock = options.clock ?? systemClock;
  // Every line the container's services log passes through the backend's secrets.
  const logger = redactingLogger(options.logger ?? consoleLogger, backendSecrets(resolved.backend));
  const container = new Container({ defaultScope: 'Singleton' });

  container.bind(TYPES.Config).toConstantValue(resolved);
  container.bind(TYPES.Settings).toConstantValue(resolved.settings);
  container.bind(TYPES.Clock).toConstantValue(clock);
  container.bind(TYPES.Logger).toConstantValue(logger);
  container.bind(TYPES.Codec).toConstantValue(options.codec ?? agentexCodec);
  container.bind(TYPES.SseOptions).toConstantValue(options.sse ?? {});
  if (options.repository) {
    container.bind(TYPES.StreamRepository).toConstantValue(options.repository);
  } else {
    const factory = await loadRepositoryFactory(resolved.backend, clock, logger);
    container
      .bind(TYPES.StreamRepository)
      .toDynamicValue(() => factory())
      .inSingletonScope()
      .onDeactivation((repository) => repository.close());
  }
  container
    .bind(TYPES.Publisher)
    .toDynamicValue((ctx) =>
      createPublisher({
        ...options.publisher,
        repository: ctx.get(TYPES.StreamRepository),
        codec: ctx.get(TYPES.Codec),
        clock: ctx.get(TYPES.Clock),
        logger: ctx.get(TYPES.Logger),
        settings: ctx.get(TYPES.Settings),
      }),
    )
    .inSingletonScope()
    .onDeactivation((publisher) => publisher.close());
  container
    .bind(TYPES.Subscriber)
    .toDynamicValue((ctx) =>
      createSubscriber({
        repository: ctx.get(TYPES.StreamRepository),
        codec: ctx.get(TYPES.Codec),
        clock: ctx.get(TYPES.Clock),
        logger: ctx.get(TYPES.Logger),
        settings: ctx.get(TYPES.Settings),
        ...(options.subscriberTuning ? { tuning: options.subscriberTuning } : {}),
      }),
    )
    .inSingletonScope();
  container.bind(SseEndpoint).toSelf().inSingletonScope();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    // Publisher first: its final drain still needs the repository.
    closing ??= (async () => {
      await container.unbindAsync(TYPES.Publisher);
      await container.unbindAllAsync();
    })();
    return closing;
  };

  return {
    container,
    config: resolved,
    clock,
    get repository() {
      return container.get(TYPES.StreamRepository);
    },
    get publisher() {
      return container.get(TYPES.Publisher);
    },
    get subscriber() {
      return container.get(TYPES.Subscriber);
    },
    get sse() {
      return container.get(SseEndpoint);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
