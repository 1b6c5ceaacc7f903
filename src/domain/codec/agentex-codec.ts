import { TaskStreamError } from '../errors.js';
import type { DecodeErrorEvent, DeltaEvent, ExtraFields, MessageEvent, TaskEvent } from '../events.js';
import type { EntryFields, StreamEntry } from '../../ports/stream-repository.js';
import type { EventCodec } from './event-codec.js';
import { contentFromWire, contentToWire } from './content-mapping.js';
import { deltaFromWire, deltaToJson, deltaToWire } from './delta-mapping.js';
import { copyFields, fail, isWireObject, requireObject, setField, type WireObject } from './wire-values.js';

/** Stream field names of an agentex entry. `data` is agentex's own; the others are taskstream's. */
export const AGENTEX_FIELDS = Object.freeze({
  /** The update as JSON, exactly what agentex writes and reads. */
  data: 'data',
  /** taskstream's per-message sequence number, decimal. */
  seq: 'seq',
  /** taskstream's wire version; present on every entry taskstream writes with a sequence number. */
  version: 'ts_v',
} as const);

/** The wire version taskstream writes in {@link AGENTEX_FIELDS.version}. */
export const AGENTEX_WIRE_VERSION = '1';

/** `index` of a message event read from an agentex entry whose `index` is null or absent (agentex correlates those by `parent_task_message`). Written back as `"index": null`. */
export const UNKNOWN_INDEX = -1;

/** `seq` of an event read from an entry without taskstream's `seq` field (written by agentex itself). Written back without `seq`/`ts_v`. */
export const UNKNOWN_SEQ = -1;

/** Top-level `data` keys a `done` event's caller fields cannot use. */
export const DONE_RESERVED_KEYS: ReadonlySet<string> = new Set(['type', 'index', 'parent_task_message']);
/** Top-level `data` keys an `error` event's fields cannot use. */
export const ERROR_RESERVED_KEYS: ReadonlySet<string> = new Set(['type', 'message']);
/** Keys of the `task` object a `task_updated` event's fields cannot use. */
export const TASK_UPDATED_RESERVED_KEYS: ReadonlySet<string> = new Set(['id', 'status']);

const SEQ_PATTERN = /^(0|[1-9][0-9]{0,15})$/;

function invalid(message: string, cause?: unknown): never {
  throw new TaskStreamError('INVALID_ARGUMENT', `cannot encode event: ${message}`, cause === undefined ? {} : { cause });
}

function checkCounter(value: unknown, name: string, unknown: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || (value < 0 && value !== unknown)) {
    invalid(`${name} must be a non-negative integer (or ${unknown} for unknown), got ${String(value)}`);
  }
  return value;
}

function checkFields(fields: ExtraFields, reserved: ReadonlySet<string>, what: string): ExtraFields {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) invalid(`${what} fields must be an object`);
  for (const key of Object.keys(fields)) {
    if (reserved.has(key)) invalid(`${what} fields cannot use the reserved key ${JSON.stringify(key)} (reserved: ${[...reserved].join(', ')})`);
  }
  return fields;
}

function messageHeader(event: MessageEvent): WireObject {
  const out: WireObject = { type: event.type, index: checkCounter(event.index, 'index', UNKNOWN_INDEX) === UNKNOWN_INDEX ? null : event.index };
  const parent = event.parentTaskMessage;
  if (parent !== undefined) {
    if (parent !== null && (typeof parent !== 'object' || Array.isArray(parent))) invalid('parentTaskMessage must be an object or null');
    out['parent_task_message'] = parent;
  }
  return out;
}

function toWire(event: TaskEvent, taskId: string): WireObject {
  switch (event.type) {
    case 'start':
    case 'full': {
      const out = messageHeader(event);
      out['content'] = contentToWire(event.content);
      return out;
    }
    case 'delta': {
      const out = messageHeader(event);
      out['delta'] = deltaToWire(event.delta);
      return out;
    }
    case 'done': {
      const out = messageHeader(event);
      copyFields(out, checkFields(event.fields, DONE_RESERVED_KEYS, 'done'));
      return out;
    }
    case 'task_updated': {
      if (typeof event.status !== 'string') invalid('task_updated status must be a string');
      const task: WireObject = {};
      copyFields(task, checkFields(event.fields, TASK_UPDATED_RESERVED_KEYS, 'task_updated'));
      setField(task, 'id', taskId);
      setField(task, 'status', event.status);
      return { type: 'task_updated', task };
    }
    case 'error': {
      if (typeof event.message !== 'string') invalid('error message must be a string');
      const out: WireObject = { type: 'error', message: event.message };
      copyFields(out, checkFields(event.fields, ERROR_RESERVED_KEYS, 'error'));
      return out;
    }
    default:
      return invalid(`unknown event type ${JSON.stringify((event as { type: unknown }).type)}`);
  }
}

/** `JSON.stringify(toWire(event))` of a delta without `parentTaskMessage`, written directly: the publisher's per-delta path. */
function plainDeltaJson(event: DeltaEvent): string {
  const index = checkCounter(event.index, 'index', UNKNOWN_INDEX);
  return `{"type":"delta","index":${index === UNKNOWN_INDEX ? 'null' : index},"delta":${deltaToJson(event.delta)}}`;
}

function encode(event: TaskEvent, taskId: string): EntryFields {
  const seq = checkCounter(event.seq, 'seq', UNKNOWN_SEQ);
  let data: string;
  try {
    data = event.type === 'delta' && event.parentTaskMessage === undefined ? plainDeltaJson(event) : JSON.stringify(toWire(event, taskId));
  } catch (err) {
    if (TaskStreamError.is(err)) throw err;
    invalid('it holds a value JSON cannot carry (bigint, cycle, …)', err);
  }
  // literal keys (AGENTEX_FIELDS' values): a computed-key literal is built key by key, once per delta
  if (seq === UNKNOWN_SEQ) return { data };
  return { data, seq: String(seq), ts_v: AGENTEX_WIRE_VERSION };
}

function readSeq(fields: EntryFields): number {
  const version = fields[AGENTEX_FIELDS.version];
  const raw = fields[AGENTEX_FIELDS.seq];
  if (version !== undefined && version !== AGENTEX_WIRE_VERSION) fail(`unsupported taskstream wire version ${JSON.stringify(version)}`);
  if (raw === undefined) {
    if (version !== undefined) fail(`entry has ${AGENTEX_FIELDS.version} but no ${AGENTEX_FIELDS.seq} field`);
    return UNKNOWN_SEQ;
  }
  if (typeof raw !== 'string' || !SEQ_PATTERN.test(raw) || !Number.isSafeInteger(Number(raw))) {
    fail(`${AGENTEX_FIELDS.seq} field ${JSON.stringify(raw)} is not a non-negative integer`);
  }
  return Number(raw);
}

function readIndex(data: WireObject): number {
  const index = data['index'];
  if (index === undefined || index === null) return UNKNOWN_INDEX;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) fail('data.index must be a non-negative integer or null');
  return index;
}

function readParent(data: WireObject): { parentTaskMessage?: ExtraFields | null } {
  if (!Object.prototype.hasOwnProperty.call(data, 'parent_task_message')) return {};
  const parent = data['parent_task_message'];
  if (parent !== null && !isWireObject(parent)) fail('data.parent_task_message must be an object or null');
  return { parentTaskMessage: parent };
}

function restFields(obj: WireObject, reserved: ReadonlySet<string>): ExtraFields {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) if (!reserved.has(key)) setField(fields, key, value);
  return fields;
}

function fromWire(data: WireObject, seq: number): TaskEvent {
  switch (data['type']) {
    case 'start':
    case 'full': {
      const type = data['type'];
      return { type, index: readIndex(data), seq, ...readParent(data), content: contentFromWire(data['content'], 'data.content') };
    }
    case 'delta': {
      if (data['delta'] === undefined || data['delta'] === null) fail('delta update without a delta');
      return { type: 'delta', index: readIndex(data), seq, ...readParent(data), delta: deltaFromWire(data['delta'], 'data.delta') };
    }
    case 'done':
      return { type: 'done', index: readIndex(data), seq, ...readParent(data), fields: restFields(data, DONE_RESERVED_KEYS) };
    case 'task_updated': {
      const task = requireObject(data['task'], 'data.task');
      const status = task['status'];
      if (typeof status !== 'string') fail('data.task.status must be a string');
      return { type: 'task_updated', seq, status, fields: restFields(task, TASK_UPDATED_RESERVED_KEYS) };
    }
    case 'error': {
      const message = data['message'];
      if (typeof message !== 'string') fail('data.message must be a string');
      return { type: 'error', seq, message, fields: restFields(data, ERROR_RESERVED_KEYS) };
    }
    default:
      return fail(`data.type ${JSON.stringify(data['type']) ?? 'undefined'} is not a known update type`);
  }
}

function rawCopy(fields: unknown): Record<string, string> {
  const raw: Record<string, string> = {};
  if (typeof fields === 'object' && fields !== null) {
    for (const [key, value] of Object.entries(fields)) setField(raw, key, value);
  }
  return raw;
}

function decode(entry: StreamEntry): TaskEvent | DecodeErrorEvent {
  try {
    const fields = entry.fields;
    const json = fields[AGENTEX_FIELDS.data];
    if (typeof json !== 'string') fail(`entry has no ${AGENTEX_FIELDS.data} field`);
    const seq = readSeq(fields);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      fail(`${AGENTEX_FIELDS.data} field is not JSON`, err);
    }
    return fromWire(requireObject(parsed, 'data'), seq);
  } catch (err) {
    const entryId = (entry as { id?: unknown } | null)?.id;
    const reason = err instanceof Error ? err.message : String(err);
    const error = new TaskStreamError('DECODE_FAILED', `cannot decode stream entry ${String(entryId)}: ${reason}`, {
      cause: err,
      details: { entryId },
    });
    return { type: 'decode_error', error, raw: rawCopy((entry as { fields?: unknown } | null)?.fields) };
  }
}

/**
 * The default codec: agentex's Redis wire format, so an agentex (Python) server and taskstream can
 * read each other's task streams (`task:<id>`).
 *
 * Each event is one stream entry with these fields:
 * - `data`: the update as JSON in agentex's snake_case `TaskStreamEvent` schema, as agentex's
 *   `RedisStreamRepository.send_data` writes it (`XADD task:<id> * data <json>`):
 *   - `{"type":"start"|"full","index":n,"parent_task_message"?:{…}|null,"content":{"type":"text","author":…,"content":…,"format"?:…}}`
 *   - `{"type":"delta","index":n,…,"delta":{"type":"text","text_delta":…}}` (and `data_delta`,
 *     `tool_request` `tool_call_id`/`name`/`arguments_delta`, `tool_response` `tool_call_id`/`name`/`content_delta`,
 *     `reasoning_summary` `summary_index`/`summary_delta`, `reasoning_content` `content_index`/`content_delta`)
 *   - `{"type":"done","index":n,…, ...fields}`: the caller's `done(fields)` sit at the top level next to
 *     agentex's keys; `type`, `index`, `parent_task_message` are reserved ({@link DONE_RESERVED_KEYS}).
 *     agentex readers ignore the extra keys; every top-level key that is not reserved reads back into `fields`.
 *   - `{"type":"task_updated","task":{...fields,"id":taskId,"status":status}}`: agentex's `TaskStreamTaskUpdatedEvent`
 *     with a partial `Task`; `id` and `status` are reserved in `fields` ({@link TASK_UPDATED_RESERVED_KEYS}).
 *   - `{"type":"error","message":…, ...fields}`: agentex's `TaskStreamErrorEvent`; `type`/`message` reserved.
 *   Content keys taskstream does not model (`style`, `attachments`, `is_error`, …) live in `content.extra` and are
 *   written back verbatim; values must be JSON values (`undefined`, bigint, cycles are rejected). Unknown
 *   top-level keys of `start`/`delta`/`full` updates are ignored when reading, as agentex ignores ours.
 *   Strings round-trip exactly, lone surrogates included: `JSON.stringify` escapes them as `\uXXXX`, so
 *   `data` is always valid UTF-8 for the backend.
 * - `seq`: taskstream's per-message sequence number (decimal); `ts_v`: wire version `"1"`. Neither is ever
 *   inside `data`, so agentex sees exactly its own schema. A message's entries are numbered 0, 1, 2, … without
 *   holes (one producer per message; idempotent retries reuse numbers), which is what lets a subscriber report
 *   a `seq` gap when a number is missing. Task-level events restart their numbering whenever their producer
 *   goes idle, so they carry a `seq` but no gap can be read from it.
 *
 * What the publisher hands this codec was already checked against agentex's models
 * (`validate-event.ts`): agentex's server would silently drop what its `TaskStreamEvent` rejects.
 * The codec itself only refuses what it could not read back; a custom caller of `encode` gets no
 * agentex checks.
 *
 * Reading: an entry without `seq` and `ts_v` (written by agentex itself) decodes with `seq` {@link UNKNOWN_SEQ};
 * a null or absent `index` decodes as {@link UNKNOWN_INDEX}; both are written back the way they were read.
 * An entry that has `ts_v` but no valid `seq`, no `data`, JSON that is not an object, an unknown `type`, or a
 * field of the wrong type decodes to a `decode_error` event (`DECODE_FAILED`, raw fields attached); `decode` never throws.
 *
 * Writing throws `INVALID_ARGUMENT` for an event it could not read back (reserved field keys, a negative
 * index or seq other than -1, non-JSON values).
 */
export const agentexCodec: EventCodec = Object.freeze({ encode, decode });
