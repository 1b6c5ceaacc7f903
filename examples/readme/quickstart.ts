import { createMemoryRepository, createPublisher, createSubscriber } from 'taskstream';

const repository = createMemoryRepository(); // or createIoredisRepository({ url: process.env.REDIS_URL })
const publisher = createPublisher({ repository });
const subscriber = createSubscriber({ repository });

// A reader: snapshots the tail once (or resumes after a Last-Event-ID), ends at the terminal status.
const subscription = subscriber.open('task-42', { untilTerminal: true });
await subscription.ready; // from here on, nothing written can be missed
const reading = (async () => {
  let text = '';
  for await (const { id, event } of subscription) {
    if (event.type === 'delta' && event.delta.type === 'text') text += event.delta.textDelta;
    if (event.type === 'done') console.log(`message ${event.index} done at ${id}:`, text);
  }
  return text;
})();

// An agent: deltas never wait on Redis; done() drains them first, then publishes one Done.
{
  await using message = publisher.open('task-42', { index: 0 });
  for (const token of ['Hel', 'lo, ', 'wor', 'ld!']) message.delta({ type: 'text', textDelta: token });
  await message.done({ index: 0, finish_reason: 'stop' });
}
await publisher.updateTask('task-42', 'COMPLETED');

console.log((await reading) === 'Hello, world!');
await publisher.close();
await repository.close();
