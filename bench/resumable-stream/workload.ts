/** The shared workload of the side-by-side runs: timestamped chunks, read back by remote readers. */
import { sleep } from '../ioredis/support.js';

export interface Workload {
  readonly streams: number;
  readonly readersPerStream: number;
  readonly chunksPerStream: number;
  /** Chunks per second per stream. */
  readonly rate: number;
}

/** A source that waits for `go`, then emits `chunks` stamped chunks at `rate` per second (SSE-sized, about 60 bytes). */
export function stampedSource(workload: Workload, go: Promise<void>): ReadableStream<string> {
  let i = 0;
  let next = 0;
  return new ReadableStream<string>({
    async start() {
      await go;
      // BENCH_STAGGER=1: streams start at random points of the first interval, as independent conversations do.
      next = performance.now() + (process.env['BENCH_STAGGER'] === '1' ? Math.random() * (1000 / workload.rate) : 0);
    },
    async pull(controller) {
      if (i === workload.chunksPerStream) return controller.close();
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      next += 1000 / workload.rate;
      controller.enqueue(`data: {"type":"text-delta","id":"t1","delta":" w${i++}","t":${performance.now().toFixed(3)}}\n\n`);
    },
  });
}

/** Reads a stream to the end, recording each chunk's latency from its stamp; returns the text. */
export async function readStamped(stream: ReadableStream<string>, latencies: number[]): Promise<string> {
  let text = '';
  for await (const chunk of stream as unknown as AsyncIterable<string>) {
    const now = performance.now();
    text += chunk;
    for (const match of chunk.matchAll(/"t":([\d.]+)\}/g)) latencies.push(now - Number(match[1]));
  }
  return text;
}
