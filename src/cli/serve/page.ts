import { messageKeyOf } from '../../domain/message-key.js';

/**
 * The demo page: one column per simulated agent, each read through the browser's own
 * `EventSource` from `/tasks/:id/events`. Static HTML with inline JS, no build step.
 * `window.__taskstream` exposes progress for the end-to-end test. Messages are grouped with the
 * library's own {@link messageKeyOf} (its source is embedded in the page), so agentex's
 * index-less updates land in their own message, by `parent_task_message.id`.
 */
export function renderPage(backend: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>taskstream: agents streaming</title>
<style>
  :root { color-scheme: light; --ink: #1d2433; --muted: #667085; --line: #e4e7ec; --accent: #3b5bdb; --ok: #2b8a3e; --warn: #c92a2a; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f7f9; }
  header { padding: 18px 24px 10px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
  h1 { font-size: 20px; margin: 0; }
  .sub { color: var(--muted); font-size: 13px; }
  button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 14px; padding: 8px 24px 24px; }
  .agent { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; min-height: 200px; }
  .agent h2 { font-size: 15px; margin: 0 0 2px; display: flex; justify-content: space-between; gap: 8px; }
  .task { color: var(--muted); font-size: 12px; font-family: ui-monospace, monospace; }
  .status { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 999px; background: #edf2ff; color: var(--accent); }
  .status.COMPLETED { background: #ebfbee; color: var(--ok); }
  .status.reconnecting { background: #fff4e6; color: #d9480f; }
  .meta { color: var(--muted); font-size: 12px; margin: 4px 0 8px; }
  .msg { border-top: 1px dashed var(--line); padding: 8px 0; }
  .text { white-space: pre-wrap; word-break: break-word; margin: 0; font: inherit; }
  .done { display: inline-block; margin-top: 4px; font-size: 11px; font-weight: 700; color: var(--ok); border: 1px solid var(--ok); border-radius: 4px; padding: 0 5px; }
  .note { color: var(--warn); font-size: 12px; }
</style>
</head>
<body>
<header>
  <h1>taskstream</h1>
  <span class="sub">simulated agents streaming tokens side by side · backend: <b>${escapeHtml(backend)}</b> · each column is the browser's own EventSource on <code>/tasks/:id/events</code>; a dropped connection resumes with Last-Event-ID</span>
  <button id="again" type="button">Run again</button>
</header>
<main id="grid"></main>
<script>
(() => {
  const grid = document.getElementById('grid');
  const state = (window.__taskstream = { tasks: [], finished: 0, connects: {}, sources: [] });
  const messageKeyOf = ${messageKeyOf.toString()};
  const el = (tag, cls, text) => { const n = document.createElement(tag); if (cls) n.className = cls; if (text !== undefined) n.textContent = text; return n; };

  function column(task) {
    const box = el('section', 'agent');
    box.dataset.task = task.taskId;
    const h = el('h2');
    const status = el('span', 'status', 'waiting');
    h.append(el('span', '', task.agent), status);
    const meta = el('div', 'meta', 'connecting…');
    box.append(h, el('div', 'task', task.taskId), meta);
    grid.append(box);
    const messages = new Map();
    const message = (event) => {
      const key = messageKeyOf(event) ?? 'unkeyed';
      let m = messages.get(key);
      if (!m) {
        const node = el('div', 'msg');
        node.dataset.key = key;
        const text = el('pre', 'text');
        node.append(text);
        box.append(node);
        m = { node, text };
        messages.set(key, m);
      }
      return m;
    };
    return { box, status, meta, message };
  }

  function gapNote(d) {
    if (d.reason === 'seq') return 'lost entries ' + d.fromSeq + '..' + d.toSeq + ' of message ' + d.messageKey + (d.exact ? '' : ' (at most)');
    if (d.reason === 'reset') return 'the stream was lost and written again: entries after ' + d.resumeId + ' may be missing';
    return d.trimmed + ' entries were trimmed before this reader caught up';
  }

  function follow(task) {
    const ui = column(task);
    state.connects[task.taskId] = 0;
    const es = new EventSource('/tasks/' + encodeURIComponent(task.taskId) + '/events');
    state.sources.push(es);
    const on = (type, fn) => es.addEventListener(type, (e) => fn(JSON.parse(e.data), e));
    on('connected', (d) => {
      state.connects[task.taskId]++;
      ui.status.className = 'status';
      ui.status.textContent = 'streaming';
      ui.meta.textContent = 'connections: ' + state.connects[task.taskId] + (d.resumed ? ' · resumed after ' + d.cursor : '');
    });
    on('start', (d) => ui.message(d));
    on('delta', (d) => { if (d.delta.type === 'text') ui.message(d).text.append(d.delta.textDelta); });
    on('full', (d) => { if (d.content.type === 'text') ui.message(d).text.textContent = d.content.content; });
    on('done', (d) => ui.message(d).node.append(el('span', 'done', 'Done')));
    on('task_updated', (d) => { ui.status.className = 'status ' + d.status; ui.status.textContent = d.status.toLowerCase(); });
    on('gap', (d) => ui.box.append(el('div', 'note', gapNote(d))));
    on('decode_error', (d) => ui.box.append(el('div', 'note', 'unreadable entry: ' + d.message)));
    on('end', () => { es.close(); state.finished++; });
    es.addEventListener('error', (e) => {
      if (e.data) { ui.box.append(el('div', 'note', 'backend: ' + JSON.parse(e.data).message)); return; }
      if (es.readyState === EventSource.CONNECTING) { ui.status.className = 'status reconnecting'; ui.status.textContent = 'reconnecting'; }
    });
  }

  async function run() {
    for (const es of state.sources) es.close();
    grid.replaceChildren();
    Object.assign(state, { tasks: [], finished: 0, connects: {}, sources: [] });
    const res = await fetch('/api/run', { method: 'POST' });
    const { tasks } = await res.json();
    state.tasks = tasks.map((t) => t.taskId);
    tasks.forEach(follow);
  }
  document.getElementById('again').addEventListener('click', run);
  run();
})();
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
