import { inject, injectable, optional } from 'inversify';
import type { Subscriber } from '../domain/subscriber/index.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { createSseHandler } from '../adapters/http/sse-response.js';
import type { SseOptions } from '../adapters/http/sse-options.js';
import { TYPES } from './tokens.js';

/**
 * The SSE endpoint, wired by the container: the container's subscriber (and with it the key
 * prefix), clock and logger, plus any {@link SseOptions} bound to `TYPES.SseOptions`.
 *
 * @example
 * app.get('/tasks/:id/events', (c) => ts.sse.handle(c.req.raw, c.req.param('id')));
 */
@injectable()
export class SseEndpoint {
  readonly #handler: (request: Request, taskId: string) => Promise<Response>;

  constructor(
    @inject(TYPES.Subscriber) subscriber: Subscriber,
    @inject(TYPES.Clock) clock: Clock,
    @inject(TYPES.Logger) logger: Logger,
    @inject(TYPES.SseOptions) @optional() options: SseOptions | undefined,
  ) {
    this.#handler = createSseHandler(subscriber, { clock, logger, ...options });
  }

  /** Answers one SSE request for `taskId` (see `sseResponse`). */
  handle(request: Request, taskId: string): Promise<Response> {
    return this.#handler(request, taskId);
  }
}
