import { TaskStreamError } from '../errors.js';
import type { ExtraFields, MessageContent } from '../events.js';
import {
  copyFields,
  fail,
  pickExtra,
  requireObject,
  requirePresent,
  requireString,
  setField,
  type WireObject,
} from './wire-values.js';

/*
 * agentex `TaskMessageContent` (snake_case) <-> taskstream `MessageContent` (camelCase).
 * Schema: scaleapi/scale-agentex-python src/agentex/types/{text,data,tool_request,tool_response,reasoning}_content.py
 * and scaleapi/scale-agentex agentex/src/api/schemas/task_messages.py.
 * Fields taskstream does not model (`style`, `attachments`, `is_error`, a null `format`, future
 * additions) are kept verbatim in `extra` and written back unchanged.
 */

const KNOWN_KEYS = {
  text: new Set(['type', 'author', 'content', 'format']),
  data: new Set(['type', 'author', 'data']),
  tool_request: new Set(['type', 'author', 'tool_call_id', 'name', 'arguments']),
  tool_response: new Set(['type', 'author', 'tool_call_id', 'name', 'content']),
  reasoning: new Set(['type', 'author', 'summary', 'content']),
} as const;

type ContentType = keyof typeof KNOWN_KEYS;

function isContentType(value: unknown): value is ContentType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(KNOWN_KEYS, value);
}

function withExtra<T extends object>(content: T, wire: WireObject, known: ReadonlySet<string>): T {
  const extra = pickExtra(wire, known);
  return extra === undefined ? content : { ...content, extra };
}

function requireStringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) fail(`${what} must be an array of strings`);
  return value as string[];
}

/** Reads agentex content; throws `DECODE_FAILED` when a field has the wrong type or a required one is missing. */
export function contentFromWire(value: unknown, what = 'content'): MessageContent {
  const wire = requireObject(value, what);
  const type = wire['type'];
  if (!isContentType(type)) fail(`${what}.type ${JSON.stringify(type) ?? 'undefined'} is not a known content type`);
  const author = requireString(wire, 'author', what);
  switch (type) {
    case 'text': {
      const format = wire['format'];
      if (format !== undefined && format !== null && typeof format !== 'string') fail(`${what}.format must be a string or null`);
      // A null format has no place in the camelCase model: it stays in `extra` so it is written back as given.
      const known = typeof format === 'string' ? KNOWN_KEYS.text : new Set(['type', 'author', 'content']);
      const content = requireString(wire, 'content', what);
      return withExtra(
        typeof format === 'string' ? { type, author, content, format } : { type, author, content },
        wire,
        known,
      );
    }
    case 'data':
      return withExtra({ type, author, data: requirePresent(wire, 'data', what) }, wire, KNOWN_KEYS.data);
    case 'tool_request':
      return withExtra(
        {
          type,
          author,
          toolCallId: requireString(wire, 'tool_call_id', what),
          name: requireString(wire, 'name', what),
          arguments: requirePresent(wire, 'arguments', what),
        },
        wire,
        KNOWN_KEYS.tool_request,
      );
    case 'tool_response':
      return withExtra(
        {
          type,
          author,
          toolCallId: requireString(wire, 'tool_call_id', what),
          name: requireString(wire, 'name', what),
          content: requirePresent(wire, 'content', what),
        },
        wire,
        KNOWN_KEYS.tool_response,
      );
    case 'reasoning': {
      const summary = requireStringArray(wire['summary'], `${what}.summary`);
      const raw = wire['content'];
      if (raw === undefined) return withExtra({ type, author, summary }, wire, KNOWN_KEYS.reasoning);
      const content = raw === null ? null : requireStringArray(raw, `${what}.content`);
      return withExtra({ type, author, summary, content }, wire, KNOWN_KEYS.reasoning);
    }
  }
}

function invalid(message: string): never {
  throw new TaskStreamError('INVALID_ARGUMENT', `cannot encode content: ${message}`);
}

function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') invalid(`${name} must be a string`);
  return value;
}

function checkDefined(value: unknown, name: string): unknown {
  if (value === undefined) invalid(`${name} must be a JSON value, got undefined`);
  return value;
}

function checkExtra(extra: ExtraFields | undefined): ExtraFields | undefined {
  if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra))) invalid('extra must be an object');
  return extra;
}

/**
 * Writes agentex content. `extra` is written first, so a modelled field always wins over an
 * `extra` key of the same name. Throws `INVALID_ARGUMENT` for content that could not be read back.
 */
export function contentToWire(content: MessageContent): WireObject {
  const out: WireObject = {};
  copyFields(out, checkExtra(content.extra));
  setField(out, 'type', content.type);
  setField(out, 'author', checkString(content.author, 'author'));
  switch (content.type) {
    case 'text':
      setField(out, 'content', checkString(content.content, 'content'));
      if (content.format !== undefined) setField(out, 'format', checkString(content.format, 'format'));
      break;
    case 'data':
      setField(out, 'data', checkDefined(content.data, 'data'));
      break;
    case 'tool_request':
      setField(out, 'tool_call_id', checkString(content.toolCallId, 'toolCallId'));
      setField(out, 'name', checkString(content.name, 'name'));
      setField(out, 'arguments', checkDefined(content.arguments, 'arguments'));
      break;
    case 'tool_response':
      setField(out, 'tool_call_id', checkString(content.toolCallId, 'toolCallId'));
      setField(out, 'name', checkString(content.name, 'name'));
      setField(out, 'content', checkDefined(content.content, 'content'));
      break;
    case 'reasoning':
      if (!Array.isArray(content.summary) || !content.summary.every((s) => typeof s === 'string')) invalid('summary must be an array of strings');
      setField(out, 'summary', content.summary);
      if (content.content !== undefined) {
        if (content.content !== null && (!Array.isArray(content.content) || !content.content.every((s) => typeof s === 'string'))) {
          invalid('reasoning content must be an array of strings or null');
        }
        setField(out, 'content', content.content);
      }
      break;
    default:
      invalid(`unknown content type ${JSON.stringify((content as { type: unknown }).type)}`);
  }
  return out;
}
