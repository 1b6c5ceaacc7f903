import type { Cluster, Redis } from 'ioredis';
import { APPEND_LUA, APPEND_SHA } from '../shared/append-script.js';

/** The append script as an ioredis command; the name carries the script's hash so two script versions never share one. */
const COMMAND_NAME = `taskstreamAppend_${APPEND_SHA.slice(0, 12)}`;

// An array argument is flattened by ioredis's Command (one level), so the script's arguments go
// as one array: not spread into a call, then copied again by the scripting wrapper, per append.
type AppendCommand = (...args: (string | number | readonly (string | number)[])[]) => Promise<unknown>;

/**
 * Makes the append script a command of `client` (idempotent) and returns a function that sends it.
 *
 * ioredis sends a defined script as `EVAL` (the body, which loads it) the first time it writes
 * it on a socket and as `EVALSHA` after that, so each connection loads the script with its first
 * append: on every cluster node, and again on the new socket after a reconnect or a server
 * restart, with no `NOSCRIPT` round trip. (A `NOSCRIPT` can still come back if someone runs
 * `SCRIPT FLUSH` under a live connection; ioredis then re-sends that call as `EVAL`.) On a
 * client with `enableAutoPipelining`, appends of any topics issued in the same tick leave in
 * one socket write per node.
 */
export function defineAppendCommand(client: Redis | Cluster): (keys: readonly [string, string], args: readonly (string | number)[]) => Promise<unknown> {
  const holder = client as unknown as Record<string, AppendCommand | undefined>;
  if (typeof holder[COMMAND_NAME] !== 'function') client.defineCommand(COMMAND_NAME, { numberOfKeys: 2, lua: APPEND_LUA });
  return (keys, args) => (holder[COMMAND_NAME] as AppendCommand).call(client, keys[0], keys[1], args);
}
