import { describe, expect, it } from 'vitest';
import { renderPage } from '../../src/cli/serve/page.js';
import type { TaskEvent } from '../../src/domain/events.js';
import { messageKeyOf } from '../../src/domain/message-key.js';

/** The message-key function the page's inline script defines, evaluated outside a browser. */
function pageMessageKeyOf(): (event: unknown) => string | undefined {
  const match = /const messageKeyOf = ([\s\S]*?);\n {2}const el =/.exec(renderPage('memory'));
  expect(match).not.toBeNull();
  return new Function(`return (${match![1]});`)() as (event: unknown) => string | undefined;
}

const parent = (id: unknown) => ({ id, task_id: 't', content: { type: 'text', author: 'agent', content: '' } });
const EVENTS: TaskEvent[] = [
  { type: 'delta', index: 2, seq: 0, delta: { type: 'text', textDelta: 'a' } },
  { type: 'delta', index: -1, seq: -1, parentTaskMessage: parent('m-a'), delta: { type: 'text', textDelta: 'a' } },
  { type: 'done', index: -1, seq: -1, parentTaskMessage: parent('m-b'), fields: {} },
  { type: 'start', index: 0, seq: 0, parentTaskMessage: parent('m-c'), content: { type: 'text', author: 'agent', content: '' } },
  { type: 'done', index: -1, seq: -1, parentTaskMessage: parent(''), fields: {} },
  { type: 'done', index: -1, seq: -1, fields: {} },
  { type: 'task_updated', seq: 0, status: 'RUNNING', fields: {} },
];

describe('serve page: grouping by message', () => {
  it("groups with the library's messageKeyOf (index, else parent_task_message.id), as it reads the SSE JSON", () => {
    const inPage = pageMessageKeyOf();
    for (const event of EVENTS) expect(inPage(JSON.parse(JSON.stringify(event)))).toBe(messageKeyOf(event));
    expect(inPage(JSON.parse(JSON.stringify(EVENTS[1])))).toBe('parent:m-a');
  });

  it('files message events under that key, not under their index', () => {
    const page = renderPage('memory');
    expect(page).toContain("on('delta', (d) => { if (d.delta.type === 'text') ui.message(d).text.append(d.delta.textDelta); });");
    expect(page).toContain('const key = messageKeyOf(event)');
    expect(page).not.toMatch(/ui\.message\(d\.index\)/);
  });
});
