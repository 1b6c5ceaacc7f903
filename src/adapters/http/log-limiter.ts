import type { Clock } from '../../ports/clock.js';
import type { LogFields, Logger } from '../../ports/logger.js';

/** Shortest time between two lines with the same message, in ms. */
export const LOG_INTERVAL_MS = 10_000;

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * A logger that writes each message at most once per {@link LOG_INTERVAL_MS} of clock time,
 * however many SSE readers report it; the next line that goes out says how many were dropped
 * (`suppressed`). One per logger, shared by every handler that uses it.
 */
export class RateLimitedLogger implements Logger {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly inner: Logger,
    private readonly clock: Clock,
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.#log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.#log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.#log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.#log('error', message, fields);
  }

  #log(level: Level, message: string, fields: LogFields | undefined): void {
    const now = this.clock.now();
    const seen = this.#last.get(message);
    if (seen !== undefined && now - seen.at < LOG_INTERVAL_MS && now >= seen.at) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    // Old entries go first: the map holds at most one entry per distinct message.
    this.#last.delete(message);
    this.#last.set(message, { at: now, suppressed: 0 });
    this.inner[level](message, suppressed > 0 ? { ...fields, suppressed } : fields);
  }
}

const limited = new WeakMap<Logger, RateLimitedLogger>();

/** The rate-limited view of `logger` (one per logger object); undefined stays undefined. */
export function rateLimited(logger: Logger | undefined, clock: Clock): Logger | undefined {
  if (logger === undefined) return undefined;
  let view = limited.get(logger);
  if (view === undefined) {
    view = new RateLimitedLogger(logger, clock);
    limited.set(logger, view);
  }
  return view;
}
