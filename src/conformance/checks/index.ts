import type { ConformanceCheck } from '../types.js';
import { idempotentAppendChecks } from './idempotent-append.js';
import { idsAndAppendChecks } from './ids-and-append.js';
import { oneTerminalChecks } from './one-terminal.js';
import { publisherOrderingChecks } from './publisher-ordering.js';
import { readsAndBlockingChecks } from './reads-and-blocking.js';
import { streamFactsChecks } from './stream-facts.js';
import { subscriberNoDropChecks } from './subscriber-no-drop.js';
import { tailAndCursorChecks } from './tail-and-cursor.js';
import { trimmingAndTtlChecks } from './trimming-and-ttl.js';

/** Every check, grouped by module, in the order the suite registers them. */
export const conformanceModules: Readonly<Record<string, readonly ConformanceCheck[]>> = {
  'ids-and-append': idsAndAppendChecks,
  'tail-and-cursor': tailAndCursorChecks,
  'stream-facts': streamFactsChecks,
  'reads-and-blocking': readsAndBlockingChecks,
  'trimming-and-ttl': trimmingAndTtlChecks,
  'idempotent-append': idempotentAppendChecks,
  'one-terminal': oneTerminalChecks,
  'publisher-ordering': publisherOrderingChecks,
  'subscriber-no-drop': subscriberNoDropChecks,
};

/** Every check by id (`<module>/<name>`), for running one directly with `runCheck`. */
export const checks: Readonly<Record<string, ConformanceCheck>> = Object.fromEntries(
  Object.values(conformanceModules).flatMap((list) => list.map((check) => [check.id, check] as const)),
);
