// Runs examples/ai-sdk the way its README line says (`npm run example:ai-sdk`) and drives it like
// useChat({ resume: true }) would: POST a message, reload half way, GET the stream back, stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockReply } from '../../examples/ai-sdk/mock-model.js';
import { readAssistantMessage, textOf } from '../../examples/ai-sdk/ui-message.js';

const root = new URL('../../', import.meta.url).pathname;
let server: ChildProcess;
let base: string;

beforeAll(async () => {
  server = spawn('npm', ['run', '--silent', 'example:ai-sdk'], {
    cwd: root,
    env: { ...process.env, PORT: '0', WORDS: '60', CHUNK_DELAY_MS: '20', TASKSTREAM_BACKEND: 'memory' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true, // its own process group, so the npm -> tsx -> node chain is stopped as one
  });
  base = await new Promise<string>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`example exited (${code})`)));
    createInterface({ input: server.stdout! }).on('line', (line) => {
      const url = /on (http:\/\/[^\s]+)/.exec(line)?.[1];
      if (url) resolve(url);
    });
  });
});

afterAll(() => {
  if (server.pid !== undefined) process.kill(-server.pid, 'SIGTERM');
});

function post(chatId: string, signal?: AbortSignal): Promise<Response> {
  const message = { id: `u-${chatId}`, role: 'user', parts: [{ type: 'text', text: 'count to sixty' }] };
  return fetch(`${base}/api/chat`, { method: 'POST', body: JSON.stringify({ id: chatId, message }), headers: { 'content-type': 'application/json' }, signal });
}

/** Reads `events` SSE events of a body, then leaves (a reload); returns the reader. */
async function readSome(body: ReadableStream<Uint8Array>, events: number): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while ((text.match(/\n\n/g) ?? []).length < events) text += decoder.decode((await reader.read()).value);
  void reader.cancel();
}

async function resume(chatId: string): Promise<Response> {
  return fetch(`${base}/api/chat/${chatId}/stream`);
}

/**
 * The guide saves `activeStreamId` once `createNewResumableStream` resolved, in parallel with the
 * response, so a reload in the first milliseconds may find no stream yet (204): ask again briefly.
 */
async function resumeActive(chatId: string): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await resume(chatId);
    if (response.status !== 204 || attempt === 50) return response;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('examples/ai-sdk (npm run example:ai-sdk)', () => {
  it('a resume request mid-stream gets the same assistant message as the first client', async () => {
    const first = await post('c1');
    const [forClient, forPeek] = first.body!.tee();
    const firstMessage = readAssistantMessage(forClient, false);
    await readSome(forPeek, 6);
    const resumed = await resumeActive('c1');
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get('content-type')).toContain('text/event-stream');
    const [a, b] = await Promise.all([firstMessage, readAssistantMessage(resumed.body!, false)]);
    expect(textOf(a)).toBe(mockReply(60));
    expect(b).toEqual(a);
    expect((await resume('c1')).status).toBe(204);
  });

  it('after the first client went away half way, the resumed message is the whole reply', async () => {
    const leaving = new AbortController();
    const first = await post('c2', leaving.signal);
    await readSome(first.body!, 8);
    leaving.abort();
    const resumed = await resumeActive('c2');
    expect(resumed.status).toBe(200);
    expect(textOf(await readAssistantMessage(resumed.body!, false))).toBe(mockReply(60));
  });

  it('POST /api/chat/:id/stop ends the generation and every reader', async () => {
    const first = await post('c3');
    const [forClient, forPeek] = first.body!.tee();
    const firstMessage = readAssistantMessage(forClient, false).catch(() => undefined);
    await readSome(forPeek, 8);
    const resumed = readAssistantMessage((await resumeActive('c3')).body!, false);
    const stop = await fetch(`${base}/api/chat/c3/stop`, { method: 'POST' });
    expect(await stop.json()).toEqual({ stopped: true });
    const text = textOf(await resumed);
    expect(mockReply(60).startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(mockReply(60).length);
    await firstMessage;
    expect((await resume('c3')).status).toBe(204);
  });
});
