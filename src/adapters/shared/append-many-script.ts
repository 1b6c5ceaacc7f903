import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AppendRequest } from '../../ports/stream-repository.js';
import { parseAppendReply, pushAppendBody, type AppendReply } from './append-script.js';

/**
 * Several appends (to any topics on one Redis, in order) in one script call, read once from
 * `append-many.lua`. Each append runs the body of `append.lua` (see `append-script.ts` for its
 * rules: idempotency, one terminal per message, `MAXLEN ~`, sliding TTL), inside `pcall`: an
 * append that fails (a `WRONGTYPE` key, for instance) fails alone, and the appends before and
 * after it in the call are made as if each had been its own call. Appends to one topic run in
 * call order, each atomic as a single call is; the call as a whole is atomic too.
 *
 * KEYS: topic, producers hash, per append. ARGV: maxLen, ttlSeconds (shared by every append of
 * the call), append count, then per append what the single script takes from its ARGV[3] on.
 * Returns one reply per append: the single script's reply, or `{-2, error message}`.
 *
 * All keys of one call must share a hash slot on Redis Cluster: there the caller sends one call
 * per slot (or the single script).
 */
export const APPEND_MANY_LUA = readFileSync(new URL('./append-many.lua', import.meta.url), 'utf8');

/** SHA1 of {@link APPEND_MANY_LUA}. */
export const APPEND_MANY_SHA = createHash('sha1').update(APPEND_MANY_LUA).digest('hex');

/** The keys and arguments of one multi-append call; appends are added in the order they run. */
export class AppendManyCall {
  readonly keys: string[] = [];
  readonly args: (string | number)[];
  #count = 0;

  constructor(
    readonly maxLen: number,
    readonly ttlSeconds: number,
  ) {
    this.args = [maxLen, ttlSeconds, 0];
  }

  /** Appends added so far. */
  get size(): number {
    return this.#count;
  }

  /** Adds `request` (its `maxLen` and `ttlSeconds` must be the call's); serializes it now. */
  add(request: AppendRequest, producersKey: string): void {
    this.keys.push(request.topic, producersKey);
    pushAppendBody(this.args, request);
    this.args[2] = ++this.#count;
  }
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
  return (reply as unknown[]).map((item) => {
    const parts = item as unknown[];
    if (Number(parts[0]) === -2) return new AppendReplyError(String(parts[1]));
    try {
      return parseAppendReply(parts);
    } catch (err) {
      return err as Error;
    }
  });
}
