import { createHash } from 'node:crypto';
import type { AppendRequest } from '../../ports/stream-repository.js';
import type { StreamId } from '../../domain/stream-id.js';

/**
 * The append script every Redis backend sends (ioredis over RESP, Upstash over REST).
 *
 * The whole append in one server-side step: idempotency check, one `XADD` per entry with
 * `MAXLEN ~`, the idempotency record, and the sliding TTL on both keys. Both keys share a hash
 * slot (see `producersKeyFor`), so it runs unchanged on Redis Cluster.
 *
 * KEYS: topic, producers hash. ARGV: maxLen, ttlSeconds, producerId ('' = none), entry count,
 * then per entry: seq ('' = none), field count, field/value pairs.
 * Returns `{duplicates, ttlFailed, id...}`.
 *
 * `ttlSeconds` 0 sends no EXPIRE: a new key has no TTL, an existing one keeps its own (as a bare
 * `XADD` would; the memory backend does the same).
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
local last = nil
if producer ~= '' then
  local v = redis.call('HGET', KEYS[2], producer)
  if v then last = tonumber(v) end
end
local trimTo = maxLen
if maxLen > 0 and count > maxLen then trimTo = count end
local result = {0, 0}
local pos = 5
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
if producer ~= '' and newLast ~= nil then redis.call('HSET', KEYS[2], producer, newLast) end
if written > 0 and ttl > 0 then
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
  const args: (string | number)[] = [request.maxLen, request.ttlSeconds, idem?.producerId ?? '', request.entries.length];
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

export function parseAppendReply(reply: unknown): AppendReply {
  const items = reply as unknown[];
  return {
    duplicates: Number(items[0]),
    ttlFailed: Number(items[1]) === 1,
    ids: items.slice(2).map((id) => String(id)),
  };
}
