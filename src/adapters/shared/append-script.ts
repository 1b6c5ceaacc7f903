import { createHash } from 'node:crypto';
import type { AppendRequest } from '../../ports/stream-repository.js';
import type { StreamId } from '../../domain/stream-id.js';
import { TaskStreamError } from '../../domain/errors.js';
import { TERMINAL_FIELD_PREFIX } from './validate-request.js';

/**
 * The append script every Redis backend sends (ioredis over RESP, Upstash over REST).
 *
 * The whole append in one server-side step: idempotency check, one `XADD` per entry with
 * `MAXLEN ~`, the idempotency record, and the sliding TTL on both keys. Both keys share a hash
 * slot (see `producersKeyFor`), so it runs unchanged on Redis Cluster.
 *
 * KEYS: topic, producers hash. ARGV: maxLen, ttlSeconds, producerId ('' = none), entry count,
 * terminal field (`#done:<message key>`, '' = no message), '1' when the last entry is that
 * message's terminal, then per entry: seq ('' = none), field count, field/value pairs.
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
export const APPEND_LUA = `
local maxLen = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local producer = ARGV[3]
local count = tonumber(ARGV[4])
local doneField = ARGV[5]
-- One read of both records; HMGET answers false for the '' field a request without them sends.
local rec = redis.call('HMGET', KEYS[2], producer, doneField)
local last = nil
if producer ~= '' and rec[1] then last = tonumber(rec[1]) end
local doneId = doneField ~= '' and rec[2]
local trimTo = maxLen
if maxLen > 0 and count > maxLen then trimTo = count end
local result = {0, 0}
local pos = 7
local written = 0
local newLast = nil
for i = 1, count do
  local seqArg = ARGV[pos]
  local n = tonumber(ARGV[pos + 1])
  local first = pos + 2
  pos = first + n * 2
  local seq = tonumber(seqArg)
  if producer ~= '' and last ~= nil and seq ~= nil and seq <= last then
    result[1] = result[1] + 1
  else
    if doneId then return {-1, doneId} end
    local args = {KEYS[1]}
    if maxLen > 0 then
      args[2] = 'MAXLEN'; args[3] = '~'; args[4] = trimTo
    end
    args[#args + 1] = '*'
    for j = first, pos - 1 do args[#args + 1] = ARGV[j] end
    result[#result + 1] = redis.call('XADD', unpack(args))
    written = written + 1
    if seq ~= nil then last = seq; newLast = seqArg end
  end
end
local set = {}
if producer ~= '' and newLast ~= nil then set[1] = producer; set[2] = newLast end
if ARGV[6] == '1' and written > 0 then set[#set + 1] = doneField; set[#set + 1] = result[#result] end
if #set > 0 then redis.call('HSET', KEYS[2], unpack(set)) end
local function fresh(key)
  local left = redis.call('PTTL', key)
  return left > ttl * 1000 - math.min(1000, ttl * 100) and left <= ttl * 1000
end
if written > 0 and ttl > 0 and not (producer ~= '' and fresh(KEYS[2])) then
  local r = redis.pcall('EXPIRE', KEYS[1], ARGV[2])
  if type(r) == 'table' and r.err then result[2] = 1 end
  if producer ~= '' or redis.call('EXISTS', KEYS[2]) == 1 then
    r = redis.pcall('EXPIRE', KEYS[2], ARGV[2])
    if type(r) == 'table' and r.err then result[2] = 1 end
  end
end
return result
`;

/** SHA1 of {@link APPEND_LUA}, for `EVALSHA`. */
export const APPEND_SHA = createHash('sha1').update(APPEND_LUA).digest('hex');

/** The argument list (after the keys) the script expects for `request`. */
export function appendArgs(request: AppendRequest): (string | number)[] {
  const idem = request.idempotency;
  const message = request.message;
  const args: (string | number)[] = [
    request.maxLen,
    request.ttlSeconds,
    idem?.producerId ?? '',
    request.entries.length,
    message === undefined ? '' : terminalField(message.key),
    message?.terminal === true ? '1' : '0',
  ];
  request.entries.forEach((fields, i) => {
    const seq = idem?.seqs[i];
    args.push(seq === undefined ? '' : String(seq));
    const names = Object.keys(fields);
    args.push(names.length);
    for (const name of names) args.push(name, fields[name]!);
  });
  return args;
}

/** The script's reply, decoded. */
export interface AppendReply {
  readonly ids: StreamId[];
  readonly duplicates: number;
  readonly ttlFailed: boolean;
}

/** The producers-hash field holding the terminal id of the message `key` (port rule 10). */
export function terminalField(key: string): string {
  return `${TERMINAL_FIELD_PREFIX}done:${key}`;
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
  return {
    duplicates: Number(items[0]),
    ttlFailed: Number(items[1]) === 1,
    ids: items.slice(2).map((id) => String(id)),
  };
}
