import type { TaskStreamError } from './errors.js';

/** Who wrote a message (agentex's `author`). */
export type MessageAuthor = 'user' | 'agent' | (string & {});

/** Fields a caller attaches that taskstream carries untouched (snake_case on the wire, as given). */
export type ExtraFields = Readonly<Record<string, unknown>>;

/** The whole content of a message, as agentex's `TaskMessageContent`, in camelCase. */
export type MessageContent =
  | { readonly type: 'text'; readonly author: MessageAuthor; readonly content: string; readonly format?: string; readonly extra?: ExtraFields }
  | { readonly type: 'data'; readonly author: MessageAuthor; readonly data: unknown; readonly extra?: ExtraFields }
  | {
      readonly type: 'tool_request';
      readonly author: MessageAuthor;
      readonly toolCallId: string;
      readonly name: string;
      readonly arguments: unknown;
      readonly extra?: ExtraFields;
    }
  | {
      readonly type: 'tool_response';
      readonly author: MessageAuthor;
      readonly toolCallId: string;
      readonly name: string;
      readonly content: unknown;
      readonly extra?: ExtraFields;
    }
  | {
      readonly type: 'reasoning';
      readonly author: MessageAuthor;
      readonly summary: readonly string[];
      readonly content?: readonly string[] | null;
      readonly extra?: ExtraFields;
    };

/** One piece of a message, as agentex's `TaskMessageDelta`, in camelCase. */
export type MessageDelta =
  | { readonly type: 'text'; readonly textDelta: string }
  | { readonly type: 'data'; readonly dataDelta: string }
  | { readonly type: 'tool_request'; readonly toolCallId: string; readonly name: string; readonly argumentsDelta: string }
  | { readonly type: 'tool_response'; readonly toolCallId: string; readonly name: string; readonly contentDelta: string }
  | { readonly type: 'reasoning_summary'; readonly summaryIndex: number; readonly summaryDelta: string }
  | { readonly type: 'reasoning_content'; readonly contentIndex: number; readonly contentDelta: string };

/** The delta kinds, for exhaustive switches. */
export type MessageDeltaType = MessageDelta['type'];

/** Fields every message-level event carries. */
interface MessageEventBase {
  /** The message's position in the task (agentex's `index`). */
  readonly index: number;
  /** Per-message sequence number assigned by the publisher: 0 for the first event of a message, then +1. */
  readonly seq: number;
  /** agentex's `parent_task_message`, carried as given. */
  readonly parentTaskMessage?: ExtraFields | null;
}

/** A message begins. */
export interface StartEvent extends MessageEventBase {
  readonly type: 'start';
  readonly content: MessageContent;
}

/** A piece of a message. */
export interface DeltaEvent extends MessageEventBase {
  readonly type: 'delta';
  readonly delta: MessageDelta;
}

/** The whole content of a message; it ends that message (a `done` still follows). */
export interface FullEvent extends MessageEventBase {
  readonly type: 'full';
  readonly content: MessageContent;
}

/** The message is finished: always the last event of a message, exactly once. */
export interface DoneEvent extends MessageEventBase {
  readonly type: 'done';
  /** The caller's fields passed to `done(fields)`, carried untouched; empty when synthesized on close. */
  readonly fields: ExtraFields;
}

/** Task-level status change. Terminal statuses end subscriptions that wait for them. */
export interface TaskUpdatedEvent {
  readonly type: 'task_updated';
  readonly seq: number;
  readonly status: string;
  readonly fields: ExtraFields;
}

/** A task-level error reported by the agent. */
export interface TaskErrorEvent {
  readonly type: 'error';
  readonly seq: number;
  readonly message: string;
  readonly fields: ExtraFields;
}

/** Everything a publisher writes to a task stream. */
export type TaskEvent = StartEvent | DeltaEvent | FullEvent | DoneEvent | TaskUpdatedEvent | TaskErrorEvent;

/** Message-level events (they carry an `index`). */
export type MessageEvent = StartEvent | DeltaEvent | FullEvent | DoneEvent;

/** An entry that could not be decoded; the subscriber yields it and goes on with the next entry. */
export interface DecodeErrorEvent {
  readonly type: 'decode_error';
  readonly error: TaskStreamError;
  /** The raw stream fields, as read. */
  readonly raw: Readonly<Record<string, string>>;
}

/** Fields every `gap` item carries. */
interface GapEventBase {
  readonly type: 'gap';
  /** The position the hole starts after: the resume point, or the id of the last item yielded before it. */
  readonly resumeId: string;
  /** The entry reading continues from: the oldest retained entry, or the entry that revealed the hole. */
  readonly firstRetainedId: string;
  /** How many entries the stream has trimmed in all (an upper bound on what trimming took from this subscriber); 0 for `seq` gaps. */
  readonly trimmed: number;
}

/** Entries after the resume point (or after a reader that fell behind) were trimmed away before the subscriber could read them. */
export interface TrimmedGapEvent extends GapEventBase {
  readonly reason: 'trimmed';
}

/**
 * The resume point (or the cursor of a reader that reconnected) is not an entry of the stream as
 * it is now, and trimming or deletion does not explain it: the stream was lost (a Redis restart
 * without persistence, a failover to a replica that lagged, an expiry) and written again. Any
 * entry appended after the resume point before the loss may be missing; how many is unknown.
 */
export interface ResetGapEvent extends GapEventBase {
  readonly reason: 'reset';
}

/**
 * A message's sequence numbers jumped: entries `fromSeq`..`toSeq` (inclusive) of the message
 * `messageKey` were never read by this subscription. Yielded just before the entry that revealed it.
 */
export interface SeqGapEvent extends GapEventBase {
  readonly reason: 'seq';
  /** The message, as `messageKeyOf` names it. */
  readonly messageKey: string;
  /** The message's `index` (-1 when agentex left it null). Not named `index`, so `'index' in event` still singles out message events. */
  readonly messageIndex: number;
  /** First missing sequence number (0 when `exact` is false: the lower bound is then the message's start). */
  readonly fromSeq: number;
  /** Last missing sequence number: the revealing entry's `seq` minus one. */
  readonly toSeq: number;
  /**
   * True when this subscription read `fromSeq - 1` itself. False when the message was first seen
   * with `seq > 0` after a `reset`: the reader may already hold some of `0..toSeq` from before.
   */
  readonly exact: boolean;
}

/** Entries the reader will never get: trimmed, lost with an earlier incarnation of the stream, or missing from a message's sequence. */
export type GapEvent = TrimmedGapEvent | ResetGapEvent | SeqGapEvent;

/** What a subscriber yields, each with the stream id it came from. */
export interface SubscriptionItem {
  readonly id: string;
  readonly event: TaskEvent | DecodeErrorEvent | GapEvent;
}

/** Task statuses after which nothing more is published (agentex's terminal task statuses). */
export const TERMINAL_TASK_STATUSES: ReadonlySet<string> = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELED',
  'TERMINATED',
  'TIMED_OUT',
  'DELETED',
]);

/** True for message events (those with an `index`). */
export function isMessageEvent(event: TaskEvent): event is MessageEvent {
  return event.type === 'start' || event.type === 'delta' || event.type === 'full' || event.type === 'done';
}
