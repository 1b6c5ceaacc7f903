import { createHash } from 'node:crypto';
import { appendScriptSource } from './lua-source.js';
import type { AppendRequest } from '../../ports/stream-repository.js';
import { parseAppendReply, pushAppendHeader, pushEntry, type AppendReply } from './append-script.js';

/**
 * Several appends (to any topics on one Redis, in order) in one script call, read once from
 * `append-many.lua`. Each append runs the body `append.lua` runs (`append-body.lua`; see
 * `append-script.ts` for its rules: idempotency, one terminal per message, `MAXLEN ~`, sliding
 * TTL), inside `pcall`: an append that fails (a `WRONGTYPE` key, for instance) fails alone, and
 * the appends before and after it in the call are made as if each had been its own call.
 * Appends to one topic run in call order, each atomic as a single call is; the call as a whole
 * is atomic too.
 *
 * KEYS: topic, producers hash, per append. ARGV: maxLen, ttlSeconds (shared by every append of
 * the call), append count, F and F field names (the call's template: the field names of its first
 * entry, in order), then per append what the single script takes from its ARGV[3] on, except that
 * an entry whose field names are the template's is sent as its seq ('' = none, no `#`) and its F values.
 * Returns one reply per append: the single script's reply, or `{-2, error message}`.
 *
 * All keys of one call must share a hash slot on Redis Cluster: there the ioredis repository
 * sends the single script, one call per append.
 */
export const APPEND_MANY_LUA = appendScriptSource('append-many.lua');

/** SHA1 of {@link APPEND_MANY_LUA}. */
export const APPEND_MANY_SHA = createHash('sha1').update(APPEND_MANY_LUA).digest('hex');

/** The keys and arguments of one multi-append call; appends are added in the order they run. */
export class AppendManyCall {
  readonly keys: string[] = [];
  readonly args: (string | number)[];
  #count = 0;
  #names: readonly string[] | undefined;

  constructor(
    readonly maxLen: number,
    readonly ttlSeconds: number,
  ) {
    this.args = [maxLen, ttlSeconds, 0, 0];
  }

  /** Appends added so far. */
  get size(): number {
    return this.#count;
  }

  /** Adds `request` (its `maxLen` and `ttlSeconds` must be the call's); serializes it now. */
  add(request: AppendRequest, producersKey: string): void {
    const args = this.args;
    if (this.#names === undefined) {
      // the template comes before any append's arguments: set it from the first entry of the call
      const names = Object.keys(request.entries[0] ?? {});
      this.#names = names;
      args[3] = names.length;
      args.push(...names);
    }
    this.keys.push(request.topic, producersKey);
    pushAppendHeader(args, request);
    const seqs = request.idempotency?.seqs;
    const template = this.#names;
    const entries = request.entries;
    for (let i = 0; i < entries.length; i++) {
      const fields = entries[i]!;
      const seq = seqs?.[i];
      if (hasNames(fields, template)) {
        args.push(seq === undefined ? '' : String(seq));
        for (let k = 0; k < template.length; k++) args.push(fields[template[k]!]!);
      } else pushEntry(args, fields, seq);
    }
    args[2] = ++this.#count;
  }
}

/** True when `fields`' own keys are `template`'s, in order (checked without allocating: this runs per entry). */
function hasNames(fields: object, template: readonly string[]): boolean {
  let k = 0;
  for (const name in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) continue;
    if (k >= template.length || name !== template[k]) return false;
    k++;
  }
  return k === template.length && k > 0;
}

/** An append of a multi-append call the server refused (a Redis error reply, as its message). */
export class AppendReplyError extends Error {
  override readonly name = 'ReplyError';
}

/**
 * Decodes a multi-append reply, one item per append in call order: its {@link AppendReply}, or
 * the error it failed with (`AFTER_TERMINAL` as a `TaskStreamError`, a server error as an
 * {@link AppendReplyError}).
 */
export function parseAppendManyReply(reply: unknown): (AppendReply | Error)[] {
  const items = reply as unknown[];
  const out = new Array<AppendReply | Error>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = parseItem(items[i] as unknown[]);
  return out;
}

function parseItem(parts: unknown[]): AppendReply | Error {
  if (Number(parts[0]) === -2) return new AppendReplyError(String(parts[1]));
  try {
    return parseAppendReply(parts);
  } catch (err) {
    return err as Error;
  }
}
