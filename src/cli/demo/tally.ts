import type { SubscriptionItem } from '../../domain/events.js';
import { messageKeyOf } from '../../domain/message-key.js';

/** What one subscriber saw of one message. */
interface MessageTally {
  text: string;
  deltaEntries: number;
  dones: number;
  eventsAfterDone: number;
}

/** The tally key of one message of one task: by index (a number), or by a {@link messageKeyOf} key. */
export function tallyKey(taskId: string, message: number | string): string {
  return `${taskId}#${typeof message === 'number' ? `index:${message}` : message}`;
}

/**
 * Counts what a subscriber received, per task and message, to compare with what was sent.
 * Messages are told apart by {@link messageKeyOf}: the index, or `parent_task_message.id` for
 * agentex's index-less updates.
 */
export class Tally {
  readonly #messages = new Map<string, MessageTally>();
  items = 0;
  decodeErrors = 0;
  gaps = 0;

  record(taskId: string, item: SubscriptionItem): void {
    this.items++;
    const { event } = item;
    if (event.type === 'decode_error') this.decodeErrors++;
    if (event.type === 'gap') this.gaps++;
    if (event.type !== 'delta' && event.type !== 'done') return;
    const key = messageKeyOf(event);
    if (key === undefined) return;
    const tally = this.#message(tallyKey(taskId, key));
    if (tally.dones > 0) tally.eventsAfterDone++;
    if (event.type === 'done') {
      tally.dones++;
    } else if (event.delta.type === 'text') {
      tally.deltaEntries++;
      tally.text += event.delta.textDelta;
    }
  }

  /** The text received for one message (its index, or its {@link messageKeyOf} key). */
  text(taskId: string, message: number | string): string {
    return this.#messages.get(tallyKey(taskId, message))?.text ?? '';
  }

  /** Done counts per {@link tallyKey}, in the order given. */
  donesPer(keys: readonly string[]): number[] {
    return keys.map((key) => this.#messages.get(key)?.dones ?? 0);
  }

  get deltaEntries(): number {
    let sum = 0;
    for (const tally of this.#messages.values()) sum += tally.deltaEntries;
    return sum;
  }

  get eventsAfterDone(): number {
    let sum = 0;
    for (const tally of this.#messages.values()) sum += tally.eventsAfterDone;
    return sum;
  }

  #message(key: string): MessageTally {
    let tally = this.#messages.get(key);
    if (tally === undefined) {
      tally = { text: '', deltaEntries: 0, dones: 0, eventsAfterDone: 0 };
      this.#messages.set(key, tally);
    }
    return tally;
  }
}

/**
 * Compares sent tokens with the received text: `received` counts sent tokens found, `drops` those
 * missing, `duplicates` extra copies. Tokens are unique words, so a multiset difference is exact.
 */
export function compareTokens(sent: readonly string[], receivedText: string): { received: number; drops: number; duplicates: number; inOrder: boolean } {
  const seen = new Map<string, number>();
  const words = receivedText.split(' ').filter((w) => w !== '');
  for (const word of words) seen.set(word, (seen.get(word) ?? 0) + 1);
  let received = 0;
  let duplicates = 0;
  for (const token of sent) {
    const n = seen.get(token.trim()) ?? 0;
    if (n > 0) received++;
    if (n > 1) duplicates += n - 1;
  }
  return { received, drops: sent.length - received, duplicates, inOrder: receivedText === sent.join('') };
}
