import { TaskStreamError } from '../errors.js';
import type { MessageDelta } from '../events.js';
import { fail, optionalDeltaString, requireNonNegativeInt, requireObject, requireString, type WireObject } from './wire-values.js';

/*
 * agentex `TaskMessageDelta` (snake_case) <-> taskstream `MessageDelta` (camelCase).
 * Schema: scaleapi/scale-agentex agentex/src/api/schemas/task_message_updates.py and
 * scaleapi/scale-agentex-python src/agentex/types/{text,data,tool_request,tool_response,
 * reasoning_summary,reasoning_content}_delta.py. Delta strings are `str | None = ""` there,
 * so an absent or null delta string reads as "".
 */

/** Reads an agentex delta; throws `DECODE_FAILED` on a wrong or missing field. */
export function deltaFromWire(value: unknown, what = 'delta'): MessageDelta {
  const wire = requireObject(value, what);
  switch (wire['type']) {
    case 'text':
      return { type: 'text', textDelta: optionalDeltaString(wire, 'text_delta', what) };
    case 'data':
      return { type: 'data', dataDelta: optionalDeltaString(wire, 'data_delta', what) };
    case 'tool_request':
      return {
        type: 'tool_request',
        toolCallId: requireString(wire, 'tool_call_id', what),
        name: requireString(wire, 'name', what),
        argumentsDelta: optionalDeltaString(wire, 'arguments_delta', what),
      };
    case 'tool_response':
      return {
        type: 'tool_response',
        toolCallId: requireString(wire, 'tool_call_id', what),
        name: requireString(wire, 'name', what),
        // Older agentex SDKs (agentex.lib.types.task_message_updates) named this `tool_response_delta`.
        contentDelta: optionalDeltaString(wire, wire['content_delta'] === undefined && wire['tool_response_delta'] !== undefined ? 'tool_response_delta' : 'content_delta', what),
      };
    case 'reasoning_summary':
      return {
        type: 'reasoning_summary',
        summaryIndex: requireNonNegativeInt(wire, 'summary_index', what),
        summaryDelta: optionalDeltaString(wire, 'summary_delta', what),
      };
    case 'reasoning_content':
      return {
        type: 'reasoning_content',
        contentIndex: requireNonNegativeInt(wire, 'content_index', what),
        contentDelta: optionalDeltaString(wire, 'content_delta', what),
      };
    default:
      return fail(`${what}.type ${JSON.stringify(wire['type']) ?? 'undefined'} is not a known delta type`);
  }
}

function invalid(message: string): never {
  throw new TaskStreamError('INVALID_ARGUMENT', `cannot encode delta: ${message}`);
}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string') invalid(`${name} must be a string`);
  return value;
}

function index(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) invalid(`${name} must be a non-negative integer`);
  return value;
}

/** Writes an agentex delta; throws `INVALID_ARGUMENT` for a delta that could not be read back. */
export function deltaToWire(delta: MessageDelta): WireObject {
  switch (delta.type) {
    case 'text':
      return { type: 'text', text_delta: str(delta.textDelta, 'textDelta') };
    case 'data':
      return { type: 'data', data_delta: str(delta.dataDelta, 'dataDelta') };
    case 'tool_request':
      return {
        type: 'tool_request',
        tool_call_id: str(delta.toolCallId, 'toolCallId'),
        name: str(delta.name, 'name'),
        arguments_delta: str(delta.argumentsDelta, 'argumentsDelta'),
      };
    case 'tool_response':
      return {
        type: 'tool_response',
        tool_call_id: str(delta.toolCallId, 'toolCallId'),
        name: str(delta.name, 'name'),
        content_delta: str(delta.contentDelta, 'contentDelta'),
      };
    case 'reasoning_summary':
      return {
        type: 'reasoning_summary',
        summary_index: index(delta.summaryIndex, 'summaryIndex'),
        summary_delta: str(delta.summaryDelta, 'summaryDelta'),
      };
    case 'reasoning_content':
      return {
        type: 'reasoning_content',
        content_index: index(delta.contentIndex, 'contentIndex'),
        content_delta: str(delta.contentDelta, 'contentDelta'),
      };
    default:
      return invalid(`unknown delta type ${JSON.stringify((delta as { type: unknown }).type)}`);
  }
}

/**
 * `JSON.stringify(deltaToWire(delta))`, written directly (same keys, same order, same checks and
 * errors): no wire object to build and walk, once per delta.
 */
export function deltaToJson(delta: MessageDelta): string {
  switch (delta.type) {
    case 'text':
      return `{"type":"text","text_delta":${JSON.stringify(str(delta.textDelta, 'textDelta'))}}`;
    case 'data':
      return `{"type":"data","data_delta":${JSON.stringify(str(delta.dataDelta, 'dataDelta'))}}`;
    case 'tool_request':
      return `{"type":"tool_request","tool_call_id":${JSON.stringify(str(delta.toolCallId, 'toolCallId'))},"name":${JSON.stringify(str(delta.name, 'name'))},"arguments_delta":${JSON.stringify(str(delta.argumentsDelta, 'argumentsDelta'))}}`;
    case 'tool_response':
      return `{"type":"tool_response","tool_call_id":${JSON.stringify(str(delta.toolCallId, 'toolCallId'))},"name":${JSON.stringify(str(delta.name, 'name'))},"content_delta":${JSON.stringify(str(delta.contentDelta, 'contentDelta'))}}`;
    case 'reasoning_summary':
      return `{"type":"reasoning_summary","summary_index":${index(delta.summaryIndex, 'summaryIndex')},"summary_delta":${JSON.stringify(str(delta.summaryDelta, 'summaryDelta'))}}`;
    case 'reasoning_content':
      return `{"type":"reasoning_content","content_index":${index(delta.contentIndex, 'contentIndex')},"content_delta":${JSON.stringify(str(delta.contentDelta, 'contentDelta'))}}`;
    default:
      return invalid(`unknown delta type ${JSON.stringify((delta as { type: unknown }).type)}`);
  }
}
