import { requireNonNegativeInteger } from '../../domain/validation.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { systemClock } from '../clock/system-clock.js';
import { consoleLogger } from '../logger/console-logger.js';

/** Settings of {@link createMemoryRepository}. */
export interface MemoryRepositoryOptions {
  /**
   * Source of time for ids, TTLs and blocking-read timeouts. Pass a `FakeClock` in tests to drive
   * expiry and timeouts without sleeping.
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * Receives debug lines (expired topics reclaimed). Nothing is logged above `debug`.
   * @default consoleLogger (which drops debug lines)
   */
  readonly logger?: Logger;
  /**
   * Entries per stream node, like Redis `stream-node-max-entries`. `MAXLEN ~` trimming removes
   * whole nodes only, so this sets how far above `maxLen` a stream may stay. 0 = no entry limit.
   * @default 100
   */
  readonly nodeMaxEntries?: number;
  /**
   * Bytes per stream node as Redis counts them, like `stream-node-max-bytes`: a node is closed
   * when its listpack size plus the new entry's raw field and value bytes reaches this.
   * 0 = no byte limit (Redis's 1 GiB hard cap).
   * @default 4096
   */
  readonly nodeMaxBytes?: number;
  /**
   * Topics inspected for expiry on each append, so expired topics nobody touches again are
   * reclaimed without any timer.
   * @default 8
   */
  readonly sweepPerAppend?: number;
}

/** Options with defaults filled in. */
export interface ResolvedMemoryOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly nodeMaxEntries: number;
  readonly nodeMaxBytes: number;
  readonly sweepPerAppend: number;
}

/** Fills defaults; rejects negative, fractional or non-numeric limits with `INVALID_CONFIG`. */
export function resolveMemoryOptions(options: MemoryRepositoryOptions = {}): ResolvedMemoryOptions {
  return {
    clock: options.clock ?? systemClock,
    logger: options.logger ?? consoleLogger,
    nodeMaxEntries: nonNegativeInt('nodeMaxEntries', options.nodeMaxEntries, 100),
    nodeMaxBytes: nonNegativeInt('nodeMaxBytes', options.nodeMaxBytes, 4096),
    sweepPerAppend: nonNegativeInt('sweepPerAppend', options.sweepPerAppend, 8),
  };
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  return requireNonNegativeInteger(name, value ?? fallback);
}
