import { parseJsonEventStream, readUIMessageStream, uiMessageChunkSchema, type UIMessage, type UIMessageChunk } from 'ai';

/**
 * What a chat client makes of an SSE body: the AI SDK's own JSON event stream parser, then
 * `readUIMessageStream`; resolves with the last state of the assistant message (undefined when
 * the body held no message).
 */
export async function readAssistantMessage(body: ReadableStream<string> | ReadableStream<Uint8Array>, isText = true): Promise<UIMessage | undefined> {
  const bytes = isText ? (body as ReadableStream<string>).pipeThrough(new TextEncoderStream()) : (body as ReadableStream<Uint8Array>);
  const chunks = parseJsonEventStream({ stream: bytes, schema: uiMessageChunkSchema }).pipeThrough(
    new TransformStream<{ success: boolean; value?: unknown; error?: unknown }, UIMessageChunk>({
      transform(result, controller) {
        if (!result.success) throw result.error;
        controller.enqueue(result.value as UIMessageChunk);
      },
    }),
  );
  let message: UIMessage | undefined;
  for await (const state of readUIMessageStream({ stream: chunks, terminateOnError: true })) message = state;
  return message;
}

/** The text of a message's text parts. */
export function textOf(message: UIMessage | undefined): string {
  return (message?.parts ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
}
