/**
 * The local Upstash-protocol server and its redis-server in a process of their own, so a
 * benchmark's clients do not share an event loop with the server they measure. Prints
 * `{"url","token"}` on one line once listening; stops on SIGTERM or when stdin closes.
 */
import { startUpstashStack } from '../../test/upstash-server/stack.js';

const stack = await startUpstashStack();
process.stdout.write(`${JSON.stringify({ url: stack.server.url, token: stack.server.token })}\n`);
const stop = async (): Promise<void> => {
  await stack.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
