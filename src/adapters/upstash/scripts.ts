import { restScript } from './rest-client.js';

/**
 * What `info` and `tailId` need, in one request and without shipping entries back: `nil` for a
 * missing key, else `{length, firstId, lastGeneratedId, entriesAdded, maxDeletedId, pttl}`.
 */
export const INFO_SCRIPT = restScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local m = {}
for i = 1, #info, 2 do m[info[i]] = info[i + 1] end
local first = '0-0'
if m['length'] > 0 and type(m['first-entry']) == 'table' then first = m['first-entry'][1] end
return {m['length'], first, m['last-generated-id'], m['entries-added'], m['max-deleted-entry-id'], redis.call('PTTL', KEYS[1])}
`);

/** Deletes a topic and its idempotency record in one request; returns 1 when the topic existed. */
export const DELETE_SCRIPT = restScript(`
local existed = redis.call('EXISTS', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
return existed
`);
