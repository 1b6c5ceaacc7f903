import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';

/** The reply the mock model streams, word by word: `words` numbered words. */
export function mockReply(words: number): string {
  return Array.from({ length: words }, (_, i) => `word${i + 1}`).join(' ');
}

/**
 * A language model that needs no API key: the AI SDK's own `MockLanguageModelV3`, streaming
 * {@link mockReply} one word per `chunkDelayInMs` through the SDK's `simulateReadableStream`.
 */
export function mockChatModel(options: { words?: number; chunkDelayInMs?: number } = {}): MockLanguageModelV3 {
  const words = mockReply(options.words ?? 40).split(' ');
  return new MockLanguageModelV3({
    doStream: async () => ({
      stream: simulateReadableStream({
        chunkDelayInMs: options.chunkDelayInMs ?? 30,
        chunks: [
          { type: 'stream-start' as const, warnings: [] },
          { type: 'text-start' as const, id: 't1' },
          ...words.map((word, i) => ({ type: 'text-delta' as const, id: 't1', delta: i === 0 ? word : ` ${word}` })),
          { type: 'text-end' as const, id: 't1' },
          {
            type: 'finish' as const,
            finishReason: { unified: 'stop' as const, raw: 'stop' },
            usage: {
              inputTokens: { total: 3, noCache: 3, cacheRead: undefined, cacheWrite: undefined },
              outputTokens: { total: words.length, text: words.length, reasoning: undefined },
            },
          },
        ],
      }),
    }),
  });
}
