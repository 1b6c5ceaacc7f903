// The AI SDK guide "Chatbot Resume Streams" on Hono, with taskstream/resumable-stream in place of
// resumable-stream: the only changed line is the import below.
import { convertToModelMessages, generateId, streamText, UI_MESSAGE_STREAM_HEADERS, type LanguageModel, type UIMessage } from 'ai';
import { Hono } from 'hono';
import { createResumableStreamContext, type CreateResumableStreamContextOptions } from 'taskstream/resumable-stream';

/** The guide's chat store (a database there): messages and the id of the stream being written. */
interface Chat {
  messages: UIMessage[];
  activeStreamId: string | null;
}

export interface ChatAppOptions {
  readonly model: LanguageModel;
  /** Passed to every `createResumableStreamContext` (the guide makes one per request). @default { waitUntil: null } */
  readonly context?: Partial<CreateResumableStreamContextOptions>;
}

export function createChatApp(options: ChatAppOptions): Hono {
  const chats = new Map<string, Chat>();
  const readChat = (id: string): Chat => chats.get(id) ?? { messages: [], activeStreamId: null };
  const saveChat = (id: string, update: Partial<Chat>): void => void chats.set(id, { ...readChat(id), ...update });
  const streamContext = () => createResumableStreamContext({ waitUntil: null, ...options.context });
  const app = new Hono();

  // POST /api/chat: { id, message } as useChat({ resume: true }) sends it with the guide's transport.
  app.post('/api/chat', async (c) => {
    const { id, message } = await c.req.json<{ id: string; message: UIMessage }>();
    const messages = [...readChat(id).messages, message];
    saveChat(id, { messages, activeStreamId: null });
    // Beyond resumable-stream: stopStream (from any instance) fires the signal given to makeStream.
    const abort = new AbortController();
    const result = streamText({ model: options.model, messages: await convertToModelMessages(messages), abortSignal: abort.signal });
    return result.toUIMessageStreamResponse({
      originalMessages: messages,
      generateMessageId: generateId,
      onFinish: ({ messages: finished }) => saveChat(id, { messages: finished, activeStreamId: null }),
      async consumeSseStream({ stream }) {
        const streamId = generateId();
        await streamContext().createNewResumableStream(streamId, ({ signal }) => {
          signal.addEventListener('abort', () => abort.abort(signal.reason), { once: true });
          return stream;
        });
        saveChat(id, { activeStreamId: streamId });
      },
    });
  });

  // GET /api/chat/:id/stream: what useChat({ resume: true }) calls on mount.
  app.get('/api/chat/:id/stream', async (c) => {
    const chat = readChat(c.req.param('id'));
    if (chat.activeStreamId === null) return c.body(null, 204);
    const stream = await streamContext().resumeExistingStream(chat.activeStreamId);
    if (!stream) return c.body(null, 204);
    return new Response(stream.pipeThrough(new TextEncoderStream()), { headers: UI_MESSAGE_STREAM_HEADERS });
  });

  // POST /api/chat/:id/stop: the guide's "Stop an Active Resumable Stream", from any instance.
  app.post('/api/chat/:id/stop', async (c) => {
    const chat = readChat(c.req.param('id'));
    const stopped = chat.activeStreamId !== null && (await streamContext().stopStream(chat.activeStreamId));
    return c.json({ stopped });
  });

  return app;
}
