import { requireIntegerArgument } from '../../domain/validation.js';
import { TaskStreamError } from '../../domain/errors.js';
import { parseStreamId } from '../../domain/stream-id.js';
import type { ParsedStreamId } from '../../domain/stream-id.js';
import type { AppendMessage, AppendRequest, EntryFields, ReadOptions, TopicCursor } from '../../ports/stream-repository.js';

/** An append request checked and copied: later changes by the caller cannot reach the store. */
export interface CheckedAppend {
  readonly topic: string;
  readonly entries: readonly EntryFields[];
  readonly maxLen: number;
  readonly ttlSeconds: number;
  readonly producerId: string | undefined;
  readonly seqs: readonly number[] | undefined;
  /** The message the batch belongs to (port rule 10), copied. */
  readonly message: AppendMessage | undefined;
}

/** Read options with defaults: `count` 0 = all, `blockMs` 0 = do not wait. */
export interface CheckedReadOptions {
  readonly count: number;
  readonly blockMs: number;
  readonly signal: AbortSignal | undefined;
}

/** A cursor with its id parsed. */
export interface CheckedCursor {
  readonly topic: string;
  readonly after: ParsedStreamId;
}

function invalid(message: string, details: Record<string, unknown> = {}): TaskStreamError {
  return new TaskStreamError('INVALID_ARGUMENT', message, { details });
}

/** Rejects a topic that is not a non-empty string. */
export function checkTopic(topic: unknown): string {
  if (typeof topic !== 'string' || topic === '') throw invalid(`topic must be a non-empty string, got ${typeof topic === 'string' ? '""' : typeof topic}`);
  return topic;
}

/** Throws `INVALID_ARGUMENT` unless `fields` is a non-empty object of string values; no copy. */
function checkFields(fields: unknown, index: number): void {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw invalid(`entry ${index} must be an object of string fields`);
  }
  let count = 0;
  for (const name in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) continue;
    const value = (fields as Record<string, unknown>)[name];
    if (typeof value !== 'string') throw invalid(`entry ${index} field ${JSON.stringify(name)} must be a string, got ${typeof value}`);
    count++;
  }
  if (count === 0) throw invalid(`entry ${index} has no fields`);
}

function copyFields(fields: unknown, index: number): EntryFields {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw invalid(`entry ${index} must be an object of string fields`);
  }
  const copy: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string') throw invalid(`entry ${index} field ${JSON.stringify(name)} must be a string, got ${typeof value}`);
    // assignment is far cheaper than defineProperty; only "__proto__" needs the slow path to stay a field
    if (name === '__proto__') Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
    else copy[name] = value;
    count++;
  }
  // XADD needs at least one field-value pair.
  if (count === 0) throw invalid(`entry ${index} has no fields`);
  return Object.freeze(copy);
}

/**
 * Validates and copies an append; throws `INVALID_ARGUMENT` before anything is written. With
 * `copy: false` the entries are only checked and returned as given: for a backend that
 * serializes the request before it first awaits (nothing the caller changes later can reach it).
 */
export function checkAppend(request: AppendRequest, options: { readonly copy?: boolean } = {}): CheckedAppend {
  if (typeof request !== 'object' || request === null) throw invalid('append request must be an object');
  const topic = checkTopic(request.topic);
  if (!Array.isArray(request.entries)) throw invalid('entries must be an array');
  let entries: readonly EntryFields[];
  if (options.copy === false) {
    entries = request.entries;
    for (let i = 0; i < entries.length; i++) checkFields(entries[i], i);
  } else entries = request.entries.map(copyFields);
  const maxLen = requireIntegerArgument('maxLen', request.maxLen);
  const ttlSeconds = requireIntegerArgument('ttlSeconds', request.ttlSeconds);
  const message = checkMessage(request.message, options.copy !== false);
  const idem = request.idempotency;
  if (idem === undefined) return { topic, entries, maxLen, ttlSeconds, producerId: undefined, seqs: undefined, message };
  if (typeof idem.producerId !== 'string' || idem.producerId === '') throw invalid('idempotency.producerId must be a non-empty string');
  // Fields starting with '#' in the idempotency record hold terminals (see TERMINAL_FIELD_PREFIX).
  if (idem.producerId.startsWith(TERMINAL_FIELD_PREFIX)) throw invalid(`idempotency.producerId must not start with "${TERMINAL_FIELD_PREFIX}" (reserved)`);
  if (!Array.isArray(idem.seqs) || idem.seqs.length !== entries.length) {
    throw invalid('idempotency.seqs must hold one sequence number per entry', { entries: entries.length });
  }
  const seqs = options.copy === false ? idem.seqs : [...idem.seqs];
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i];
    // the name is built only for the error: this runs once per entry
    if (!Number.isSafeInteger(seq) || seq! < 0) requireIntegerArgument(`idempotency.seqs[${i}]`, seq);
    if (i > 0 && seq! <= seqs[i - 1]!) throw invalid('idempotency.seqs must be strictly increasing', { index: i });
  }
  return { topic, entries, maxLen, ttlSeconds, producerId: idem.producerId, seqs, message };
}

/**
 * The idempotency record's fields for terminals start with this (`#done:<message key>`); producer
 * ids may not, so the two never collide (port rule 9).
 */
export const TERMINAL_FIELD_PREFIX = '#';

function checkMessage(message: unknown, copy: boolean): AppendMessage | undefined {
  if (message === undefined) return undefined;
  const m = message as Partial<AppendMessage> | null;
  if (typeof m !== 'object' || m === null) throw invalid('message must be an object { key, terminal }');
  if (typeof m.key !== 'string' || m.key === '') throw invalid('message.key must be a non-empty string');
  if (typeof m.terminal !== 'boolean') throw invalid(`message.terminal must be a boolean, got ${typeof m.terminal}`);
  return copy ? Object.freeze({ key: m.key, terminal: m.terminal }) : (m as AppendMessage);
}

/** Validates read options; `count` 0 means all, as `XREAD COUNT 0` does. */
export function checkReadOptions(options: ReadOptions | undefined): CheckedReadOptions {
  const count = options?.count === undefined ? 0 : requireIntegerArgument('count', options.count);
  const rawBlock = options?.blockMs ?? 0;
  if (typeof rawBlock !== 'number' || !Number.isFinite(rawBlock) || rawBlock < 0) {
    throw invalid(`blockMs must be a non-negative finite number, got ${String(rawBlock)}`);
  }
  return { count, blockMs: Math.ceil(rawBlock), signal: options?.signal };
}

/** Parses a cursor; a malformed id is `INVALID_STREAM_ID`. */
export function checkCursor(topic: unknown, afterId: unknown): CheckedCursor {
  return { topic: checkTopic(topic), after: parseStreamId(afterId as string) };
}

/** Parses every cursor of a multi-topic read. */
export function checkCursors(cursors: readonly TopicCursor[]): CheckedCursor[] {
  if (!Array.isArray(cursors)) throw invalid('cursors must be an array');
  return cursors.map((cursor) => checkCursor(cursor?.topic, cursor?.afterId));
}
