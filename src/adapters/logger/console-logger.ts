import type { LogFields, Logger } from '../../ports/logger.js';

/**
 * The logger every public factory uses when given none (`createPublisher`, `createSubscriber`,
 * the repositories, the SSE handler, the container): warnings and errors go to the console with
 * their fields, so a retried or lost write is never silent; debug and info are dropped. Pass your
 * own {@link Logger} to route them elsewhere or to silence them.
 */
export const consoleLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, fields?: LogFields) => console.warn(message, fields ?? {}),
  error: (message: string, fields?: LogFields) => console.error(message, fields ?? {}),
});
