-- The body of one append, shared by append.lua and append-many.lua: each inserts this file at its
-- "-- @body" line (see lua-source.ts), after defining maxLen, ttl, ttlArg (ARGV as sent),
-- nameCount and names (the field-name template; 0 and {} for append.lua).
-- appendOne runs one append whose arguments start at ARGV[at]: producer ('' = none), entry
-- count, message ('' = none, else '1' when the last entry is the message's terminal or '0',
-- then the message key), then per entry either the template's layout: seq ('' = none) and
-- nameCount values, or, flagged by a seq starting with '#': '#' .. seq, field count, then
-- field/value pairs. Returns {duplicates, ttlFailed, id...}, or {-1, terminal id}.
local freshFloor = ttl * 1000 - math.min(1000, ttl * 100)
local function fresh(key)
  local left = redis.call('PTTL', key)
  return left > freshFloor and left <= ttl * 1000
end
local function appendOne(topic, producers, at)
  local producer = ARGV[at]
  local count = tonumber(ARGV[at + 1])
  local message = ARGV[at + 2]
  local doneField = ''
  if message ~= '' then doneField = '#done:' .. string.sub(message, 2) end
  -- One read of both records; HMGET answers false for the '' field a request without them sends.
  -- The records are read only when the batch has a producer or a message: a plain append sends no HMGET.
  local rec = {false, false}
  if producer ~= '' or doneField ~= '' then rec = redis.call('HMGET', producers, producer, doneField) end
  local last = nil
  if producer ~= '' and rec[1] then last = tonumber(rec[1]) end
  local doneId = doneField ~= '' and rec[2]
  local trimTo = maxLen
  if maxLen > 0 and count > maxLen then trimTo = count end
  local result = {0, 0}
  local pos = at + 3
  local written = 0
  local newLast = nil
  for i = 1, count do
    local seqArg = ARGV[pos]
    local n = 0
    local first = pos + 1
    if string.byte(seqArg, 1) == 35 then
      seqArg = string.sub(seqArg, 2)
      n = tonumber(ARGV[pos + 1])
      first = pos + 2
      pos = first + n * 2
    else
      pos = first + nameCount
    end
    local seq = tonumber(seqArg)
    if producer ~= '' and last ~= nil and seq ~= nil and seq <= last then
      result[1] = result[1] + 1
    else
      if doneId then return {-1, doneId} end
      local args = {topic}
      if maxLen > 0 then
        args[2] = 'MAXLEN'; args[3] = '~'; args[4] = trimTo
      end
      args[#args + 1] = '*'
      if n == 0 then
        for k = 1, nameCount do args[#args + 1] = names[k]; args[#args + 1] = ARGV[first + k - 1] end
      else
        for j = first, pos - 1 do args[#args + 1] = ARGV[j] end
      end
      result[#result + 1] = redis.call('XADD', unpack(args))
      written = written + 1
      if seq ~= nil then last = seq; newLast = seqArg end
    end
  end
  local set = {}
  if producer ~= '' and newLast ~= nil then set[1] = producer; set[2] = newLast end
  if string.byte(message, 1) == 49 and written > 0 then set[#set + 1] = doneField; set[#set + 1] = result[#result] end
  if #set > 0 then redis.call('HSET', producers, unpack(set)) end
  if written > 0 and ttl > 0 and not (producer ~= '' and fresh(producers)) then
    local r = redis.pcall('EXPIRE', topic, ttlArg)
    if type(r) == 'table' and r.err then result[2] = 1 end
    if producer ~= '' or redis.call('EXISTS', producers) == 1 then
      r = redis.pcall('EXPIRE', producers, ttlArg)
      if type(r) == 'table' and r.err then result[2] = 1 end
    end
  end
  return result
end
