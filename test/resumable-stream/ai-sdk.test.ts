// The real AI SDK end to end: streamText on the SDK's mock model -> UI message stream -> SSE text
// -> the context; a resume request read back with the SDK's own parser gives the same message.
import { JsonToSseTransformStream, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { createMemoryRepository, systemClock } from 'taskstream';
import { createResumableStreamContext } from 'taskstream/resumable-stream';
import { mockChatModel, mockReply } from '../../examples/ai-sdk/mock-model.js';
import { readAssistantMessage, textOf } from '../../examples/ai-sdk/ui-message.js';

function sseOfChat(words: number): ReadableStream<string> {
  const result = streamText({ model: mockChatModel({ words, chunkDelayInMs: 10 }), prompt: 'count' });
  return result.toUIMessageStream({ generateMessageId: () => 'msg-1' }).pipeThrough(new JsonToSseTransformStream());
}

describe('with the AI SDK (memory backend)', () => {
  for (const batching of ['per_chunk', 'coalesced'] as const) {
    it(`a resume request mid-stream rebuilds the same assistant message as the first client (${batching})`, async () => {
      const repository = createMemoryRepository({ clock: systemClock });
      const finished: Promise<unknown>[] = [];
      const options = { repository, batching, waitUntil: (p: Promise<unknown>) => void finished.push(p) };
      const post = createResumableStreamContext(options);
      const get = createResumableStreamContext(options);
      const own = await post.createNewResumableStream('chat-1', () => sseOfChat(40));
      const [firstClient, forTee] = own!.tee();
      const first = readAssistantMessage(firstClient);
      // The browser reloads half way: it reads the first few SSE events, then a resume request starts.
      const peek = forTee.getReader();
      for (let i = 0; i < 8; i++) await peek.read();
      void peek.cancel(); // a tee branch's cancel settles only when the other branch ends too
      expect(await get.hasExistingStream('chat-1')).toBe(true);
      const resumed = readAssistantMessage((await get.resumeExistingStream('chat-1'))!);
      const [a, b] = await Promise.all([first, resumed]);
      expect(textOf(a)).toBe(mockReply(40));
      expect(b).toEqual(a);
      await Promise.all(finished);
      expect(await get.resumeExistingStream('chat-1')).toBeNull();
    });
  }
});
