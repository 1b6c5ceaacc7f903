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
