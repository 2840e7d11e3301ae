-- wrk script: POST /api/v1/users.createToken for a random seeded user, as a logged-in admin.
-- Environment: RCT_USER_ID, RCT_TOKEN, RCT_USERS (count), RCT_PREFIX, RCT_SAMPLE (file).

local user_id = os.getenv("RCT_USER_ID")
local token = os.getenv("RCT_TOKEN")
local users = tonumber(os.getenv("RCT_USERS") or "1000")
local prefix = os.getenv("RCT_PREFIX") or "user"
local sample_file = os.getenv("RCT_SAMPLE")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-User-Id"] = user_id
  wrk.headers["X-Auth-Token"] = token
  sampled = {}
  sampled_count = 0
end

function request()
  local body = string.format('{"username":"%s%d"}', prefix, math.random(1, users))
  return wrk.format(nil, "/api/v1/users.createToken", nil, body)
end

-- Keep the latest 500 (userId, authToken) pairs per thread to check afterwards that they
-- work; the latest, because the per-user cap may rightly have pruned older ones.
function response(status, headers, body)
  if status == 200 and sample_file then
    local id = body:match('"userId":"([^"]+)"')
    local tok = body:match('"authToken":"([^"]+)"')
    if id and tok then
      sampled_count = sampled_count + 1
      sampled[(sampled_count - 1) % 500 + 1] = id .. " " .. tok
    end
  end
end

function done(summary, latency, requests)
  if not sample_file then return end
  local f = io.open(sample_file, "a")
  for _, t in ipairs(threads) do
    local s = t:get("sampled") or {}
    for _, line in pairs(s) do f:write(line, "\n") end
  end
  f:close()
end
