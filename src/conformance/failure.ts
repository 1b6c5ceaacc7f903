/** Port rules as failure messages name them. */
export const RULES = {
  ids: 'rule 1 (ids)',
  order: 'rule 2 (order)',
  readsAfter: 'rule 3 (reads after an id)',
  tail: 'rule 4 (tail)',
  blocking: 'rule 5 (blocking)',
  retention: 'rule 6 (retention)',
  idempotence: 'rule 7 (idempotence)',
  deletion: 'rule 8 (deletion)',
  errors: 'rule 9 (errors)',
  noDrop: 'no drop, no duplicate, in order',
  oneDone: 'exactly one done per message, last',
  info: 'info (stream facts)',
  terminal: 'rule 10 (one terminal per message)',
} as const;

/** A broken rule. Its message starts with `[<rule>]` so a report names what broke. */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
  constructor(
    readonly rule: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`[${rule}] ${message}`, options);
  }
}

/** Throws a {@link ConformanceFailure} for `rule` unless `condition` holds. */
export function ensure(condition: unknown, rule: string, message: string | (() => string)): asserts condition {
  if (!condition) throw new ConformanceFailure(rule, typeof message === 'string' ? message : message());
}

/** Compact JSON for failure messages. */
export function show(value: unknown, max = 400): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Throws unless `actual` and `expected` serialize identically. */
export function ensureEqual(actual: unknown, expected: unknown, rule: string, what: string): void {
  const a = show(actual, 100_000);
  const e = show(expected, 100_000);
  if (a !== e) throw new ConformanceFailure(rule, `${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Runs `call` and checks that it rejects with a `TaskStreamError` of `code`. */
export async function ensureRejects(call: () => Promise<unknown>, code: string, rule: string, what: string): Promise<void> {
  let outcome: unknown;
  try {
    outcome = await call();
  } catch (err) {
    const e = err as { name?: unknown; code?: unknown };
    ensure(e?.name === 'TaskStreamError' && e.code === code, rule, () => `${what}: expected TaskStreamError ${code}, got ${show({ name: e?.name, code: e?.code, message: (err as Error)?.message })}`);
    return;
  }
  throw new ConformanceFailure(rule, `${what}: expected a rejection with ${code}, resolved with ${show(outcome)}`);
}
