import { seededRandom } from '../helpers/seeded-random.js';

/**
 * What the server may do to a request instead of (or after) serving it:
 * - `status-before`: answer 500/502/503 without running the commands;
 * - `status-after`: run the commands, then answer 502 (the result is lost, the write happened);
 * - `drop-before`: destroy the connection without running anything;
 * - `drop-after`: run the commands, then destroy the connection;
 * - `hang-after`: run the commands, then never answer (the client's request timeout fires).
 *   Not among the defaults: ask for it by name.
 */
export type FaultKind = 'status-before' | 'status-after' | 'drop-before' | 'drop-after' | 'hang-after';

/** Random fault injection, reproducible from its seed. */
export interface FaultOptions {
  /** Probability (0..1) that a request gets a fault. */
  readonly rate: number;
  /** The faults to choose from, uniformly. @default all four */
  readonly kinds?: readonly FaultKind[];
  /** PRNG seed. @default 1 */
  readonly seed?: number;
  /** Only requests whose commands pass this test may get a fault (others are served). @default every request */
  readonly only?: (commands: readonly (readonly string[])[]) => boolean;
}

const ALL_KINDS: readonly FaultKind[] = ['status-before', 'status-after', 'drop-before', 'drop-after'];

/** Decides, request by request, whether and how to fail. */
export class FaultPlan {
  readonly #rate: number;
  readonly #kinds: readonly FaultKind[];
  readonly #random: () => number;
  readonly #only: ((commands: readonly (readonly string[])[]) => boolean) | undefined;
  readonly injected = new Map<FaultKind, number>();

  constructor(options: FaultOptions) {
    this.#rate = options.rate;
    this.#kinds = options.kinds ?? ALL_KINDS;
    this.#random = seededRandom(options.seed ?? 1);
    this.#only = options.only;
  }

  /** Whether a request with these commands may get a fault at all. */
  applies(commands: readonly (readonly string[])[]): boolean {
    return this.#only === undefined || this.#only(commands);
  }

  /** The fault for the next request, or `undefined` to serve it normally. */
  next(): FaultKind | undefined {
    if (this.#kinds.length === 0 || this.#random() >= this.#rate) return undefined;
    const kind = this.#kinds[Math.floor(this.#random() * this.#kinds.length)]!;
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
    return kind;
  }

  /** Faults injected so far, all kinds. */
  get total(): number {
    let sum = 0;
    for (const n of this.injected.values()) sum += n;
    return sum;
  }
}
