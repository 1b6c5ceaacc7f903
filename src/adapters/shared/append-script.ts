import { createHash } from 'node:crypto';
import { appendScriptSource } from './lua-source.js';
import type { AppendRequest } from '../../ports/stream-repository.js';
import type { StreamId } from '../../domain/stream-id.js';
import { TaskStreamError } from '../../domain/errors.js';

/**
 * The append script every Redis backend sends (ioredis over RESP, Upstash over REST), read once
 * from `append.lua` next to this file, whose body is `append-body.lua` (shared with the
 * multi-append script; the build copies both into `dist`).
 *
 * The whole append in one server-side step: idempotency check, one `XADD` per entry with
 * `MAXLEN ~`, the idempotency record, and the sliding TTL on both keys. Both keys share a hash
 * slot (see `producersKeyFor`), so it runs unchanged on Redis Cluster.
 *
 * KEYS: topic, producers hash. ARGV: maxLen, ttlSeconds, producerId ('' = none), entry count,
 * message ('' = none, else '1' when the last entry is the message's terminal or '0', then the
 * message key; the script keeps its terminal under `#done:<key>`), then per entry: `#` and its
 * seq (`#` alone = none), field count, field/value pairs. (The multi-append script also takes an
 * entry in its call's template layout: seq without `#`, values only.) Every argument is parsed by
 * the client and the script, per append: the layout keeps them few.
 * Returns `{duplicates, ttlFailed, id...}`, or `{-1, terminal id}` when refused (port rule 10).
 *
 * One terminal per message (rule 10): the terminal's id is kept in the producers hash under the
 * terminal field. Once it is there, the first entry that is not an idempotent duplicate makes the
 * script return `-1` before any write (duplicates come first: sequences increase), so a refused
 * batch writes nothing, while a retry of the batch that wrote the terminal is all duplicates.
 *
 * `ttlSeconds` 0 sends no EXPIRE: a new key has no TTL, an existing one keeps its own (as a bare
 * `XADD` would; the memory backend does the same).
 *
 * A renewal is skipped while the producer record's remaining TTL is within min(1 s, ttl/10) of
 * `ttlSeconds` (port rule 6): record and topic are always renewed together, so they share one
 * expiry time and the record's PTTL is the topic's; one `PTTL` replaces two `EXPIRE`s.
 *
 * The trim threshold is at least the batch size, so approximate trimming never removes an
 * entry this call appended (port rule 6). A TTL failure is caught with `pcall` and reported
 * instead of raised: the entries are already written, and failing would invite a duplicate retry.
 */
export const APPEND_LUA = appendScriptSource('append.lua');

/** SHA1 of {@link APPEND_LUA}, for `EVALSHA`. */
export const APPEND_SHA = createHash('sha1').update(APPEND_LUA).digest('hex');

/** The argument list (after the keys) the script expects for `request`. */
export function appendArgs(request: AppendRequest): (string | number)[] {
  const args: (string | number)[] = [request.maxLen, request.ttlSeconds];
  pushAppendBody(args, request);
  return args;
}

/**
 * Pushes the arguments of `request` that follow `maxLen` and `ttlSeconds` (see
 * {@link pushAppendHeader}, then per entry: seq, field count, field/value pairs): the single
 * script's ARGV from 3 on.
 */
export function pushAppendBody(args: (string | number)[], request: AppendRequest): void {
  pushAppendHeader(args, request);
  const seqs = request.idempotency?.seqs;
  const entries = request.entries;
  for (let i = 0; i < entries.length; i++) pushEntry(args, entries[i]!, seqs?.[i]);
}

/** Pushes one entry in its own layout: `#` and its seq, field count, field/value pairs. */
export function pushEntry(args: (string | number)[], fields: Readonly<Record<string, string>>, seq: number | undefined): void {
  args.push(seq === undefined ? '#' : `#${seq}`);
  const names = Object.keys(fields);
  args.push(names.length);
  for (const name of names) args.push(name, fields[name]!);
}

/** Pushes producer id ('' = none), entry count and message ('' = none, else the terminal flag and the key) of `request`. */
export function pushAppendHeader(args: (string | number)[], request: AppendRequest): void {
  const message = request.message;
  args.push(request.idempotency?.producerId ?? '', request.entries.length, message === undefined ? '' : (message.terminal ? '1' : '0') + message.key);
}

/** The script's reply, decoded. */
export interface AppendReply {
  readonly ids: StreamId[];
  readonly duplicates: number;
  readonly ttlFailed: boolean;
}

/** Decodes the script's reply; a refusal under port rule 10 throws `AFTER_TERMINAL`. */
export function parseAppendReply(reply: unknown): AppendReply {
  const items = reply as unknown[];
  if (Number(items[0]) === -1) {
    const terminalId = String(items[1]);
    throw new TaskStreamError('AFTER_TERMINAL', `append refused: the message's terminal is already written (${terminalId}); nothing was written`, {
      details: { terminalId },
    });
  }
  // one array, converted in place (ioredis already answers strings, so String() allocates nothing)
  const ids = items.slice(2) as StreamId[];
  for (let i = 0; i < ids.length; i++) ids[i] = String(ids[i]);
  return { duplicates: Number(items[0]), ttlFailed: Number(items[1]) === 1, ids };
}
