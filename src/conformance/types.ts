import type { StreamRepository, StreamRepositoryCapabilities } from '../ports/stream-repository.js';
import type { ControllableClock, TimeDriver } from './time.js';

export type { ControllableClock } from './time.js';

/** One backend instance under test, made fresh by the factory for each check. */
export interface ConformanceBackend {
  /** The backend under test. */
  readonly repository: StreamRepository;
  /**
   * The clock the backend takes its time from, when the test controls it. With it, blocking
   * timeouts and TTL expiry are driven without sleeping; without it, the suite waits in real time
   * and checks TTLs through `info().ttlMs` only.
   */
  readonly clock?: ControllableClock;
  /** Releases what the factory made (connections, servers). Absent: `repository.close()` is called. */
  cleanup?(): Promise<void>;
}

/** How {@link describeStreamRepositoryConformance} runs the suite. */
export interface ConformanceOptions {
  /** Names the backend in test titles. */
  readonly name: string;
  /** Makes a fresh backend; called once per check. */
  readonly factory: () => Promise<ConformanceBackend> | ConformanceBackend;
  /**
   * Runs per property. @default `FC_NUM_RUNS`, else 200 with a controllable clock or in CI
   * (`process.env.CI`), else 25 for real-time backends
   */
  readonly numRuns?: number;
  /** Multiplies every real-time wait (slow CI, remote backends). Ignored with a controllable clock. @default 1 */
  readonly timeScale?: number;
  /** `blockMs` the suite's blocking reads use. @default 1000 with a controllable clock, 50 in real time */
  readonly blockMs?: number;
  /** Entries approximate trimming may keep above `maxLen` (Redis trims whole 100-entry nodes). @default 250 */
  readonly trimSlack?: number;
  /** Check ids to skip, each with the reason shown in the test title. */
  readonly skip?: Readonly<Record<string, string>>;
  /** Per-check timeout in ms, passed to `it` as its third argument. @default 60000 */
  readonly timeoutMs?: number;
}

/** The context a test body receives; the suite only uses `skip(reason)` where it exists. */
export interface TestContextLike {
  skip?(reason?: string): void;
}

/**
 * The test framework's registration functions, as the suite calls them: vitest's, jest's or
 * mocha's `describe`/`it` fit as they are (`import { describe, it } from 'vitest'`).
 */
export interface TestFunctions {
  /** Groups tests; called synchronously while the test file loads. */
  readonly describe: (name: string, body: () => void) => void;
  /** Registers one test; `timeoutMs` is the per-test timeout. */
  readonly it: (name: string, body: (context: TestContextLike) => Promise<void>, timeoutMs?: number) => void;
}

/** What a check gets: the backend, time, and fresh topic names it cleans up afterwards. */
export interface CheckContext {
  readonly repository: StreamRepository;
  readonly capabilities: StreamRepositoryCapabilities;
  readonly time: TimeDriver;
  readonly numRuns: number;
  readonly blockMs: number;
  readonly trimSlack: number;
  /** A topic name no other check or run uses; deleted through `deleteTopic` when the check ends. */
  topic(label?: string): string;
}

/** One rule check. The vitest registration and the teeth tests call the same `run`. */
export interface ConformanceCheck {
  /** Stable id, `<module>/<name>`. */
  readonly id: string;
  /** The port rule it checks, as failure messages name it (`rule 3 (reads after an id)`). */
  readonly rule: string;
  /** One line: what must hold. */
  readonly title: string;
  /** Why the check does not apply to this backend, or `undefined` when it does. */
  skipReason?(capabilities: StreamRepositoryCapabilities, time: TimeDriver): string | undefined;
  /** Throws (a {@link ConformanceFailure} naming the rule) when the backend breaks it. */
  run(ctx: CheckContext): Promise<void>;
}
