local maxLen = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local ttlArg = ARGV[2]
-- the call's field-name template: an entry sent in the template's layout has these names, values only
local nameCount = tonumber(ARGV[4])
local names = {}
for k = 1, nameCount do names[k] = ARGV[4 + k] end
-- @body
local replies = {}
local at = 5 + nameCount
for a = 1, tonumber(ARGV[3]) do
  local stop = at + 3
  for _ = 1, tonumber(ARGV[at + 1]) do
    if string.byte(ARGV[stop], 1) == 35 then stop = stop + 2 + tonumber(ARGV[stop + 1]) * 2 else stop = stop + 1 + nameCount end
  end
  local ok, res = pcall(appendOne, KEYS[2 * a - 1], KEYS[2 * a], at)
  if ok then
    replies[a] = res
  else
    replies[a] = {-2, type(res) == 'table' and res.err or tostring(res)}
  end
  at = stop
end
return replies
