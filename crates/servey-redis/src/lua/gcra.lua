-- servey's shared rate limit: one GCRA step (the generic cell rate algorithm governor uses in
-- process) on the bucket KEYS[1], which holds the theoretical arrival time (TAT) in microseconds.
-- ARGV[1]: the emission interval (the period divided by the count), in microseconds.
-- ARGV[2]: the burst, in calls (the count).
-- Answers 0 when the call is admitted (and records it), else the microseconds until one would be.
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then
  tat = math.max(tonumber(stored), now)
end
local next_tat = tat + interval
local wait = next_tat - now - burst * interval
if wait > 0 then
  return wait
end
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.ceil((next_tat - now) / 1000))
return 0
