local maxLen = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local ttlArg = ARGV[2]
local nameCount = 0
local names = {}
-- @body
return appendOne(KEYS[1], KEYS[2], 3)
