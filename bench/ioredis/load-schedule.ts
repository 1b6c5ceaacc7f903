/**
 * The offered load of the latency benchmarks, shared by taskstream and the raw baseline so both
 * do the same work around the system under test: `tasks` active tasks at `rate` deltas/s each,
 * spread evenly over each interval, issued by ONE ticker (a wake-up every millisecond sends every
 * delta whose time has come). Each delta carries its scheduled time, so event-loop lag counts as
 * latency, and "offered" is exact: tasks x rate x seconds.
 */
export interface LoadShape {
  readonly tasks: number;
  readonly rate: number;
  readonly seconds: number;
}

/** Latencies and delivery counters, filled by the receiving side. */
export class DeliveryStats {
  readonly latencies: number[] = [];
  received = 0;
  receivedInWindow = 0;
  windowEnd = Number.POSITIVE_INFINITY;

  /** Records the stamps of one received text (`"<ms>;<ms>;"`). */
  record(text: string): void {
    const now = performance.now();
    let start = 0;
    for (let end = text.indexOf(';'); end !== -1; end = text.indexOf(';', start)) {
      this.latencies.push(now - Number(text.slice(start, end)));
      this.received++;
      if (now <= this.windowEnd) this.receivedInWindow++;
      start = end + 1;
    }
  }
}

/** Grace after the send window within which a delta still counts as delivered "in the window". */
export const WINDOW_GRACE_MS = 100;

/** Runs the schedule: calls `send(task, stamp)` for every due delta; resolves after `seconds`. */
export async function runSchedule(shape: LoadShape, send: (task: number, stamp: string) => void): Promise<number> {
  const step = 1000 / shape.rate / shape.tasks;
  const total = Math.round(shape.tasks * shape.rate * shape.seconds);
  const start = performance.now();
  let k = 0;
  while (k < total) {
    const now = performance.now();
    while (k < total && start + k * step <= now) {
      send(k % shape.tasks, (start + k * step).toFixed(3));
      k++;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return k;
}

/** Node CPU (user + system) in microseconds since `since`. */
export function cpuMicros(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}
