if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local m = {}
for i = 1, #info, 2 do m[info[i]] = info[i + 1] end
local first = '0-0'
if m['length'] > 0 and type(m['first-entry']) == 'table' then first = m['first-entry'][1] end
return {m['length'], first, m['last-generated-id'], m['entries-added'], m['max-deleted-entry-id'], redis.call('PTTL', KEYS[1])}
