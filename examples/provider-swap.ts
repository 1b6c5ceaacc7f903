/**
 * One program, three providers: it runs unchanged on the embedded memory backend, on Redis
 * (ioredis) and on Upstash (REST); only the environment chooses.
 *
 *   TASKSTREAM_BACKEND=memory  npx tsx examples/provider-swap.ts
 *   TASKSTREAM_BACKEND=redis   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/provider-swap.ts
 *   TASKSTREAM_BACKEND=upstash UPSTASH_REDIS_REST_URL=https://… UPSTASH_REDIS_REST_TOKEN=… npx tsx examples/provider-swap.ts
 *
 * It streams one agent message to two subscribers and prints one JSON line: what each received.
 */
import { randomUUID } from 'node:crypto';
import { configFromEnv, createContainer } from '../src/container.js';

/** Tokens chosen to trip naive decoders: JSON-looking, numeric, boolean, emoji, newlines. */
const TOKENS = ['Hello', ' 👋🏽', ' true', ' 1', ' 12345678901234567890', ' {"a":1}', '\nnext line', ' done.'];

const config = configFromEnv(process.env);
const ts = await createContainer(config);
try {
  const taskId = `provider-swap-${randomUUID()}`;
  const subscriptions = [ts.subscriber.open(taskId), ts.subscriber.open(taskId)];
  await Promise.all(subscriptions.map((s) => s.ready));
  const reading = subscriptions.map(async (subscription) => {
    let text = '';
    let dones = 0;
    for await (const { event } of subscription) {
      if (event.type === 'delta' && event.delta.type === 'text') text += event.delta.textDelta;
      if (event.type === 'done') {
        dones++;
        break;
      }
    }
    return { text, dones };
  });

  const message = ts.publisher.open(taskId);
  for (const token of TOKENS) message.delta({ type: 'text', textDelta: token });
  await message.done({ finish_reason: 'stop' });

  const received = await Promise.all(reading);
  const ok = received.every((r) => r.text === TOKENS.join('') && r.dones === 1);
  console.log(JSON.stringify({ backend: config.backend.kind, ok, received }));
  process.exitCode = ok ? 0 : 1;
} finally {
  await ts.close();
}
