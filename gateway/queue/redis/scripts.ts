/**
 * @module
 * Lua scripts of the Redis backend. State transitions are computed in TypeScript (one place,
 * `job_ops.ts`); Redis applies them atomically with a compare-and-swap on the record version,
 * together with the index changes.
 */

/**
 * CAS: KEYS[1] = job hash. ARGV[1] = expected version ("" = must not exist), ARGV[2] = new
 * record JSON, ARGV[3] = index ops count, then per op: kind, key, member, score.
 * kinds: zadd, zrem, sadd, srem. Returns the new version, or 0 on a version mismatch.
 */
export const CAS = `
local v = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == '' then
  if v then return 0 end
elseif v ~= ARGV[1] then
  return 0
end
local nv = tonumber(v or '0') + 1
redis.call('HSET', KEYS[1], 'v', nv, 'd', ARGV[2])
local n = tonumber(ARGV[3])
for i = 0, n - 1 do
  local kind = ARGV[4 + i * 4]
  local key = ARGV[5 + i * 4]
  local member = ARGV[6 + i * 4]
  local score = ARGV[7 + i * 4]
  if kind == 'zadd' then redis.call('ZADD', key, score, member)
  elseif kind == 'zrem' then redis.call('ZREM', key, member)
  elseif kind == 'sadd' then redis.call('SADD', key, member)
  elseif kind == 'srem' then redis.call('SREM', key, member) end
end
return nv
`;

/**
 * Enqueue an utterance with its jobs, idempotently. KEYS[1] = utterance key. ARGV[1] =
 * utterance JSON, ARGV[2] = prefix, ARGV[3] = job count, then per job: id, json, intent, rank;
 * then the session index: key ("" for none), score, member.
 * Returns 1 when created, 0 when the utterance existed.
 */
export const ENQUEUE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
local p = ARGV[2]
local n = tonumber(ARGV[3])
for i = 0, n - 1 do
  local id = ARGV[4 + i * 4]
  local json = ARGV[5 + i * 4]
  local intent = ARGV[6 + i * 4]
  local rank = ARGV[7 + i * 4]
  redis.call('HSET', p .. 'job:' .. id, 'v', 1, 'd', json, 'i', intent)
  redis.call('ZADD', p .. 'ready', rank, id)
  redis.call('ZADD', p .. 'ready:' .. intent, rank, id)
  redis.call('ZADD', p .. 'jobs', 0, id)
  redis.call('ZADD', p .. 'status:queued', 0, id)
  redis.call('ZADD', p .. 'intent:' .. intent, 0, id)
end
local s = 4 + n * 4
if ARGV[s] and ARGV[s] ~= '' then redis.call('ZADD', ARGV[s], ARGV[s + 1], ARGV[s + 2]) end
return 1
`;

/**
 * Adds the per-state and per-intent list indexes to jobs written before they existed, reading
 * each record inside the script so that the index matches it. ARGV[1] = prefix, ARGV[2..] = ids.
 */
export const INDEX = `
local p = ARGV[1]
for i = 2, #ARGV do
  local d = redis.call('HGET', p .. 'job:' .. ARGV[i], 'd')
  if d then
    local job = cjson.decode(d)
    redis.call('ZADD', p .. 'status:' .. job.status, 0, ARGV[i])
    redis.call('ZADD', p .. 'intent:' .. job.intent, 0, ARGV[i])
  end
end
return #ARGV - 1
`;

/**
 * Reserve up to N runnable jobs in one round trip: pops the best (lowest rank, then oldest) from
 * the ready sets and notes them in `claiming` (score = now) until the claim's CAS lands.
 * ARGV[1] = prefix, ARGV[2] = N, ARGV[3] = now, ARGV[4..] = intents (none = any).
 * Returns id, version, record JSON for each, so the claim needs no second read.
 */
export const RESERVE = `
local p = ARGV[1]
local n = tonumber(ARGV[2])
local now = ARGV[3]
local out = {}
local intents = {}
for i = 4, #ARGV do intents[#intents + 1] = ARGV[i] end
for k = 1, n do
  local id, intent
  if #intents == 0 then
    local head = redis.call('ZPOPMIN', p .. 'ready')
    if #head == 0 then break end
    id = head[1]
    intent = redis.call('HGET', p .. 'job:' .. id, 'i')
    if intent then redis.call('ZREM', p .. 'ready:' .. intent, id) end
  else
    local best, bestScore, bestIntent
    for _, it in ipairs(intents) do
      local head = redis.call('ZRANGE', p .. 'ready:' .. it, 0, 0, 'WITHSCORES')
      if #head > 0 then
        local sc = tonumber(head[2])
        if not best or sc < bestScore or (sc == bestScore and head[1] < best) then
          best, bestScore, bestIntent = head[1], sc, it
        end
      end
    end
    if not best then break end
    id, intent = best, bestIntent
    redis.call('ZREM', p .. 'ready:' .. intent, id)
    redis.call('ZREM', p .. 'ready', id)
  end
  redis.call('ZADD', p .. 'claiming', now, id)
  local rec = redis.call('HMGET', p .. 'job:' .. id, 'v', 'd')
  out[#out + 1] = id
  out[#out + 1] = rec[1] or ''
  out[#out + 1] = rec[2] or ''
end
return out
`;
