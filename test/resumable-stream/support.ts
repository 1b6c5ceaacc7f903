/** Reads a string stream to its end. */
export async function readAll(stream: ReadableStream<string>): Promise<string> {
  let text = '';
  for await (const chunk of stream as unknown as AsyncIterable<string>) text += chunk;
  return text;
}

/** A source the test drives: `push` chunks, `end` it; `cancelled` records a cancel from the writer. */
export interface ManualSource {
  readonly stream: ReadableStream<string>;
  push(chunk: string): void;
  end(): void;
  fail(error: unknown): void;
  readonly cancelled: boolean;
}

export function manualSource(): ManualSource {
  let controller!: ReadableStreamDefaultController<string>;
  let cancelled = false;
  const stream = new ReadableStream<string>({
    start(c) {
      controller = c;
    },
    cancel() {
      cancelled = true;
    },
  });
  return {
    stream,
    push: (chunk) => controller.enqueue(chunk),
    end: () => controller.close(),
    fail: (error) => controller.error(error),
    get cancelled() {
      return cancelled;
    },
  };
}

/** A finished source of these chunks. */
export function sourceOf(chunks: readonly string[]): () => ReadableStream<string> {
  return () =>
    new ReadableStream<string>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
}

/** Resolves once `predicate` holds, checking after each macrotask (bounded). */
export async function until(predicate: () => boolean | Promise<boolean>, turns = 2_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (await predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}
