import { compareTokens, tallyKey, type Tally } from './tally.js';
import { tokensOf, taskIdOf, type DemoPlan } from './scenario.js';

/** One row of the final table. */
export interface DemoRow {
  readonly subscriber: string;
  readonly deltasSent: number;
  readonly deltasReceived: number;
  readonly drops: number;
  readonly duplicates: number;
  readonly inOrder: boolean;
  readonly donePerMessage: string;
  readonly entriesPerDelta: number;
}

/** Compares what a subscriber received with what every agent sent. */
export function rowFor(name: string, tally: Tally, plan: DemoPlan, runId: string): DemoRow {
  let sent = 0;
  let received = 0;
  let drops = 0;
  let duplicates = 0;
  let inOrder = true;
  const keys: string[] = [];
  for (let a = 0; a < plan.agents; a++) {
    const taskId = taskIdOf(runId, a);
    for (let m = 0; m < plan.messages; m++) {
      const tokens = tokensOf(a, m, plan.tokens);
      const result = compareTokens(tokens, tally.text(taskId, m));
      sent += tokens.length;
      received += result.received;
      drops += result.drops;
      duplicates += result.duplicates;
      inOrder &&= result.inOrder;
      keys.push(tallyKey(taskId, m));
    }
  }
  const dones = tally.donesPer(keys);
  const min = Math.min(...dones);
  const max = Math.max(...dones);
  return {
    subscriber: name,
    deltasSent: sent,
    deltasReceived: received,
    drops,
    duplicates,
    inOrder: inOrder && tally.eventsAfterDone === 0,
    donePerMessage: min === max ? String(min) : `${min}..${max}`,
    entriesPerDelta: sent === 0 ? 0 : tally.deltaEntries / sent,
  };
}

/** True when every subscriber got every delta once, in order, and exactly one Done per message. */
export function allGood(rows: readonly DemoRow[]): boolean {
  return rows.every((r) => r.drops === 0 && r.duplicates === 0 && r.inOrder && r.donePerMessage === '1');
}

/** Renders the rows as an aligned text table. */
export function renderTable(rows: readonly DemoRow[]): string {
  const header = ['subscriber', 'deltas sent', 'received', 'drops', 'dups', 'in order', 'Done/msg', 'entries/delta'];
  const body = rows.map((r) => [
    r.subscriber,
    String(r.deltasSent),
    String(r.deltasReceived),
    String(r.drops),
    String(r.duplicates),
    r.inOrder ? 'yes' : 'NO',
    r.donePerMessage,
    r.entriesPerDelta.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n';
}
