/**
 * GCRA check-and-record as one atomic script (the same arithmetic as core's memory store).
 * KEYS[1] = the key's TAT; ARGV = interval ms, capacity ms, cost, now ms (negative: use the
 * Redis server clock, so replicas with skewed clocks agree). Returns
 * { allowed (1|0), ahead-or-reset ms, retry-after ms } with the floats as strings.
 */
export const GCRA_SCRIPT = `
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local nextTat = tat + interval * cost
local ahead = nextTat - now
if ahead > capacity + 1e-6 then
  return {0, string.format('%.17g', tat - now), string.format('%.17g', ahead - capacity)}
end
redis.call('SET', KEYS[1], string.format('%.17g', nextTat), 'PX', math.ceil(ahead) + 1)
return {1, string.format('%.17g', ahead), '0'}
`;

/** Deletes KEYS[1] only while it still holds ARGV[1] (the lock owner's token). */
export const UNLOCK_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** Increments a tag version and keeps it for ARGV[1] ms. */
export const BUMP_TAG_SCRIPT = `
local v = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return v
`;
