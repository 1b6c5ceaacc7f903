// Run: npm run example:ai-sdk   (PORT, TASKSTREAM_BACKEND, REDIS_URL as for the container)
// Serves the AI SDK resume-streams routes on the SDK's mock model, so no API key is needed.
import { serve } from '@hono/node-server';
import { createChatApp } from './chat-app.js';
import { mockChatModel } from './mock-model.js';

const app = createChatApp({ model: mockChatModel({ words: Number(process.env['WORDS'] ?? 60), chunkDelayInMs: Number(process.env['CHUNK_DELAY_MS'] ?? 50) }) });
const server = serve({ fetch: app.fetch, port: Number(process.env['PORT'] ?? 3000), hostname: '127.0.0.1' }, (info) => {
  console.log(`AI SDK resume example on http://127.0.0.1:${info.port} (POST /api/chat, GET /api/chat/:id/stream, POST /api/chat/:id/stop)`);
});
const shutdown = (): void => void server.close(() => process.exit(0));
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
