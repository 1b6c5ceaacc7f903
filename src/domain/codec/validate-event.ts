import { TaskStreamError } from '../errors.js';
import type { ExtraFields, MessageContent, MessageDelta } from '../events.js';

/*
 * What the publisher accepts, checked when the caller hands it over (`open`, `delta`, `full`,
 * `done`, `updateTask`, `error`), so that (1) agentex's server can validate every entry taskstream
 * writes (it drops, with only a log line, an update its `TaskStreamEvent` model rejects) and
 * (2) nothing accepted can fail later, when a buffered delta is encoded.
 *
 * The rules follow agentex's pydantic models (scaleapi/scale-agentex agentex/src/api/schemas):
 * task_messages.py (`TaskMessageContent`, `MessageAuthor`, `MessageStyle`, `TextFormat`,
 * `FileAttachment`, `TaskMessage`), task_message_updates.py (`TaskMessageDelta`) and tasks.py
 * (`TaskStatus`, `Task`). Two are taskstream's own: reasoning indices must be >= 0 (agentex's
 * `int` takes -1, but taskstream's decoder would not read it back), and datetimes must be
 * RFC 3339 strings (pydantic also takes Unix numbers). Values agentex types as `Any` or
 * `dict[str, Any]` are checked in their JSON form, since that is what agentex receives.
 */

/** agentex `MessageAuthor`. */
export const AGENTEX_AUTHORS: ReadonlySet<string> = new Set(['user', 'agent']);
/** agentex `TextFormat`. */
export const AGENTEX_TEXT_FORMATS: ReadonlySet<string> = new Set(['markdown', 'plain', 'code']);
/** agentex `MessageStyle`. */
export const AGENTEX_STYLES: ReadonlySet<string> = new Set(['static', 'active']);
/** agentex `TaskStatus`. */
export const AGENTEX_TASK_STATUSES: ReadonlySet<string> = new Set(['CANCELED', 'COMPLETED', 'FAILED', 'RUNNING', 'TERMINATED', 'TIMED_OUT', 'DELETED']);
/** agentex `TaskMessage.streaming_status`. */
const STREAMING_STATUSES: ReadonlySet<unknown> = new Set(['IN_PROGRESS', 'DONE', null]);

const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/;

function reject(field: string, why: string, value: unknown): never {
  throw new TaskStreamError('INVALID_ARGUMENT', `${field} ${why}`, { details: { field, value: preview(value) } });
}

function preview(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 80)}…` : value;
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || value === undefined) return value;
  return Array.isArray(value) ? 'array' : typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as JSON gives it to agentex; `INVALID_ARGUMENT` when JSON cannot carry it (bigint, cycle, undefined). */
function jsonForm(value: unknown, field: string): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new TaskStreamError('INVALID_ARGUMENT', `${field} is not a JSON value (bigint, cycle, …)`, { cause: err, details: { field } });
  }
  if (text === undefined) reject(field, 'must be a JSON value, got undefined', value);
  return JSON.parse(text) as unknown;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') reject(field, 'must be a string', value);
  return value;
}

function requireOneOf(value: unknown, allowed: ReadonlySet<unknown>, field: string): void {
  if (!allowed.has(value)) reject(field, `must be one of ${[...allowed].map((v) => JSON.stringify(v)).join(', ')}`, value);
}

function requireJsonObject(value: unknown, field: string): void {
  if (!isPlainObject(jsonForm(value, field))) reject(field, 'must be a JSON object (agentex types it dict[str, Any])', value);
}

function requireStringArray(value: unknown, field: string): void {
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) reject(field, 'must be an array of strings', value);
}

function optionalNullable(obj: Record<string, unknown>, key: string, field: string, check: (value: unknown, field: string) => void): void {
  if (!Object.hasOwn(obj, key) || obj[key] === null || obj[key] === undefined) return;
  check(obj[key], `${field}.${key}`);
}

function requireDatetime(value: unknown, field: string): void {
  if (typeof value !== 'string' || !RFC3339.test(value)) reject(field, 'must be an RFC 3339 date-time string or null', value);
}

function requireSafeIndex(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) reject(field, 'must be an integer >= 0', value);
}

/** agentex `FileAttachment`. */
function requireAttachments(value: unknown, field: string): void {
  if (!Array.isArray(value)) reject(field, 'must be an array of file attachments or null', value);
  value.forEach((item: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isPlainObject(item)) reject(at, 'must be an object', item);
    requireString(item['file_id'], `${at}.file_id`);
    requireString(item['name'], `${at}.name`);
    requireString(item['type'], `${at}.type`);
    if (typeof item['size'] !== 'number' || !Number.isSafeInteger(item['size'])) reject(`${at}.size`, 'must be an integer', item['size']);
  });
}

/** The keys of `extra` that agentex models (taskstream does not): their values must fit agentex's types. */
function checkExtra(extra: ExtraFields | undefined, type: string, field: string, formatModelled: boolean): void {
  if (extra === undefined) return;
  if (!isPlainObject(extra)) reject(`${field}.extra`, 'must be an object', extra);
  const json = jsonForm(extra, `${field}.extra`) as Record<string, unknown>;
  if (Object.hasOwn(json, 'style')) requireOneOf(json['style'], AGENTEX_STYLES, `${field}.extra.style`);
  if (type === 'text') {
    if (!formatModelled && Object.hasOwn(json, 'format')) requireOneOf(json['format'], AGENTEX_TEXT_FORMATS, `${field}.extra.format`);
    optionalNullable(json, 'attachments', `${field}.extra`, requireAttachments);
  }
  if (type === 'tool_response') {
    optionalNullable(json, 'is_error', `${field}.extra`, (v, f) => {
      if (typeof v !== 'boolean') reject(f, 'must be a boolean or null', v);
    });
  }
}

/** Checks a message's content (`start`, `full`) against agentex's `TaskMessageContent`. */
export function validateContent(content: MessageContent, field = 'content'): void {
  if (!isPlainObject(content)) reject(field, 'must be an object', content);
  const c = content as unknown as Record<string, unknown>;
  const type = c['type'];
  requireOneOf(c['author'], AGENTEX_AUTHORS, `${field}.author`);
  switch (type) {
    case 'text':
      requireString(c['content'], `${field}.content`);
      if (c['format'] !== undefined) requireOneOf(c['format'], AGENTEX_TEXT_FORMATS, `${field}.format`);
      break;
    case 'data':
      requireJsonObject(c['data'], `${field}.data`);
      break;
    case 'tool_request':
      requireString(c['toolCallId'], `${field}.toolCallId`);
      requireString(c['name'], `${field}.name`);
      requireJsonObject(c['arguments'], `${field}.arguments`);
      break;
    case 'tool_response':
      requireString(c['toolCallId'], `${field}.toolCallId`);
      requireString(c['name'], `${field}.name`);
      jsonForm(c['content'], `${field}.content`);
      break;
    case 'reasoning':
      requireStringArray(c['summary'], `${field}.summary`);
      if (c['content'] !== undefined && c['content'] !== null) requireStringArray(c['content'], `${field}.content`);
      break;
    default:
      reject(`${field}.type`, 'must be one of "text", "data", "tool_request", "tool_response", "reasoning"', type);
  }
  checkExtra(content.extra, String(type), field, c['format'] !== undefined);
}

const DELTA_STRINGS: Readonly<Record<MessageDelta['type'], readonly string[]>> = {
  text: ['textDelta'],
  data: ['dataDelta'],
  tool_request: ['toolCallId', 'name', 'argumentsDelta'],
  tool_response: ['toolCallId', 'name', 'contentDelta'],
  reasoning_summary: ['summaryDelta'],
  reasoning_content: ['contentDelta'],
};

/** Checks a delta against agentex's `TaskMessageDelta` (and taskstream's indices >= 0). */
export function validateDelta(delta: unknown, field = 'delta'): asserts delta is MessageDelta {
  if (!isPlainObject(delta)) reject(field, 'must be an object', delta);
  const type = delta['type'];
  if (typeof type !== 'string' || !Object.hasOwn(DELTA_STRINGS, type)) reject(`${field}.type`, `must be one of ${Object.keys(DELTA_STRINGS).join(', ')}`, type);
  // field names are built only for the error: this runs once per delta
  const keys = DELTA_STRINGS[type as MessageDelta['type']];
  for (let i = 0; i < keys.length; i++) {
    const value = delta[keys[i]!];
    if (typeof value !== 'string') reject(`${field}.${keys[i]!}`, 'must be a string', value);
  }
  if (type === 'reasoning_summary') requireSafeIndex(delta['summaryIndex'], `${field}.summaryIndex`);
  if (type === 'reasoning_content') requireSafeIndex(delta['contentIndex'], `${field}.contentIndex`);
}

/**
 * Checks agentex's `parent_task_message` (a `TaskMessage`, snake_case, carried as given): `id`,
 * `task_id` and `content` are required (agentex's `id` is optional, but readers correlate
 * index-less updates by it), `content` must be a valid snake_case `TaskMessageContent`.
 */
export function validateParentTaskMessage(parent: unknown, field = 'parentTaskMessage'): void {
  if (parent === undefined || parent === null) return;
  if (!isPlainObject(parent)) reject(field, 'must be an object or null', parent);
  const json = jsonForm(parent, field) as Record<string, unknown>;
  if (typeof json['id'] !== 'string' || json['id'] === '') reject(`${field}.id`, 'must be a non-empty string', json['id']);
  requireString(json['task_id'], `${field}.task_id`);
  if (Object.hasOwn(json, 'streaming_status')) requireOneOf(json['streaming_status'], STREAMING_STATUSES, `${field}.streaming_status`);
  optionalNullable(json, 'created_at', field, requireDatetime);
  optionalNullable(json, 'updated_at', field, requireDatetime);
  validateWireContent(json['content'], `${field}.content`);
}

/** agentex `TaskMessageContent` in its own snake_case form. */
function validateWireContent(content: unknown, field: string): void {
  if (!isPlainObject(content)) reject(field, 'must be an object', content);
  const { tool_call_id: toolCallId, ...rest } = content;
  const extra: Record<string, unknown> = {};
  for (const key of ['style', 'attachments', 'is_error']) if (Object.hasOwn(rest, key)) extra[key] = rest[key];
  const camel = { ...rest, ...(toolCallId === undefined ? {} : { toolCallId }), extra } as Record<string, unknown>;
  // A null text `format` (agentex's model has no null) is refused by validateContent's TextFormat check.
  validateContent(camel as unknown as MessageContent, field);
}

/** agentex `Task` fields that `updateTask` fields may set, with their types. */
const TASK_FIELD_CHECKS: Readonly<Record<string, (value: unknown, field: string) => void>> = {
  name: requireString,
  status_reason: requireString,
  created_at: requireDatetime,
  updated_at: requireDatetime,
  params: requireJsonObject,
  task_metadata: requireJsonObject,
};

/** Checks `updateTask(status, fields)` against agentex's `TaskStatus` and `Task`. */
export function validateTaskUpdate(status: unknown, fields: unknown): void {
  requireOneOf(status, AGENTEX_TASK_STATUSES, 'status');
  validateFields(fields, 'fields');
  const json = jsonForm(fields, 'fields') as Record<string, unknown>;
  for (const [key, check] of Object.entries(TASK_FIELD_CHECKS)) optionalNullable(json, key, 'fields', check);
}

/** Checks caller fields (`done`, `error`, `updateTask`): a plain object JSON can carry. */
export function validateFields(fields: unknown, field = 'fields'): void {
  if (!isPlainObject(fields)) reject(field, 'must be an object', fields);
  if (!isPlainObject(jsonForm(fields, field))) reject(field, 'must be a JSON object', fields);
}
