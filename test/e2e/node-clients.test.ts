import { EventSource } from 'eventsource';
import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { SSE_EVENT_TYPES, startServe, TaskView, trackFinished, waitFor } from './serve-fixture.js';

type App = Awaited<ReturnType<typeof startServe>>;

/** Kills every server connection once each view has text, then waits for every view to end; checks the result. */
async function killMidStreamAndCheck(app: App, views: Map<string, TaskView>): Promise<void> {
  await waitFor(() => [...views.values()].every((v) => (v.texts[0] ?? '').length > 0), 'first text on every task');
  const finished = trackFinished(app.serve.tasks.values());
  expect(finished.size).toBe(0);
  const resumedBefore = app.serve.stats.resumedRequests;
  app.serve.server.closeAllConnections();
  await waitFor(() => [...views.values()].every((v) => v.ended), 'every task to end', 25_000);
  expect(app.serve.stats.resumedRequests - resumedBefore).toBeGreaterThanOrEqual(views.size);
  for (const [taskId, view] of views) {
    const task = app.serve.tasks.get(taskId)!;
    expect(view.texts).toEqual(task.sent);
    expect(view.dones).toEqual(task.sent.map(() => 1));
    expect(view.types.filter((t) => t === 'connected').length).toBeGreaterThanOrEqual(2);
    expect(view.types.at(-1)).toBe('end');
  }
}

describe('resume after the server drops connections mid-stream, with Node clients', () => {
  it('the eventsource npm client reconnects by itself with Last-Event-ID', async () => {
    const app = await startServe({ agents: 2, messages: 2, tokensPerSecond: 20 });
    const sources: EventSource[] = [];
    try {
      const views = new Map<string, TaskView>();
      for (const task of app.serve.startRun()) {
        const view = new TaskView();
        views.set(task.taskId, view);
        const es = new EventSource(`${app.serve.url}tasks/${task.taskId}/events`);
        sources.push(es);
        for (const type of SSE_EVENT_TYPES) {
          es.addEventListener(type, (e) => {
            const message = e as MessageEvent<string>;
            if (typeof message.data !== 'string') return; // connection errors carry no data
            view.apply(type, message.data, message.lastEventId);
            if (type === 'end') es.close();
          });
        }
      }
      await killMidStreamAndCheck(app, views);
    } finally {
      for (const es of sources) es.close();
      await app.close();
    }
  });

  it('fetch + eventsource-parser, reconnecting with a Last-Event-ID header', async () => {
    const app = await startServe({ agents: 2, messages: 2, tokensPerSecond: 20 });
    const stop = new AbortController();
    try {
      const views = new Map<string, TaskView>();
      const readers = app.serve.startRun().map((task) => {
        const view = new TaskView();
        views.set(task.taskId, view);
        return follow(`${app.serve.url}tasks/${task.taskId}/events`, view, stop.signal);
      });
      await killMidStreamAndCheck(app, views);
      await Promise.all(readers);
    } finally {
      stop.abort();
      await app.close();
    }
  });
});

/** A minimal resumable SSE client: fetch, parse, and on a dropped connection reconnect with Last-Event-ID after the retry hint. */
async function follow(url: string, view: TaskView, signal: AbortSignal): Promise<void> {
  let retryMs = 1000;
  while (!view.ended && !signal.aborted) {
    try {
      const response = await fetch(url, { headers: view.lastId ? { 'last-event-id': view.lastId } : {}, signal });
      expect(response.status).toBe(200);
      const parser = createParser({
        onEvent: (e) => view.apply(e.event ?? 'message', e.data, e.id),
        onRetry: (ms) => {
          retryMs = ms;
        },
      });
      const decoder = new TextDecoder();
      const reader = response.body!.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
    } catch {
      // dropped connection: reconnect below
    }
    if (!view.ended) await new Promise((r) => setTimeout(r, retryMs));
  }
}

describe('a client that does not close its EventSource on end', () => {
  it('the eventsource npm client reconnects once with the terminal id, gets 204 and stops (CLOSED), and the server holds nothing', async () => {
    const app = await startServe({ agents: 1, messages: 1, tokensPerSecond: 200 });
    const [task] = app.serve.startRun();
    const es = new EventSource(`${app.serve.url}tasks/${task!.taskId}/events`);
    try {
      const view = new TaskView();
      const failures: { code: number | undefined; message: string | undefined }[] = [];
      for (const type of SSE_EVENT_TYPES) {
        es.addEventListener(type, (e) => {
          const message = e as MessageEvent<string>;
          if (typeof message.data === 'string') view.apply(type, message.data, message.lastEventId);
          else if (type === 'error') failures.push({ code: (e as { code?: number }).code, message: (e as { message?: string }).message });
        });
      }
      await waitFor(() => view.ended && es.readyState === es.CLOSED, 'the end, then the client to stop', 10_000);
      expect(view.types.at(-1)).toBe('end');
      expect(view.types.filter((t) => t === 'connected')).toHaveLength(1);
      expect(failures.at(-1)?.code).toBe(204);
      expect(app.serve.stats.resumedRequests).toBe(1);
      const requests = app.serve.stats.sseRequests;
      await new Promise((r) => setTimeout(r, 600)); // more than twice the 250 ms retry hint: no further reconnect
      expect(app.serve.stats.sseRequests).toBe(requests);
      expect((app.services.repository as unknown as { waitingReads: number }).waitingReads).toBe(0);
    } finally {
      es.close();
      await app.close();
    }
  });
});
