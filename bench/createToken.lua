-- wrk script: POST /api/v1/users.createToken for a random seeded user, as a logged-in admin.
-- Environment: RCT_USER_ID, RCT_TOKEN, RCT_USERS (count), RCT_PREFIX, RCT_SAMPLE (file),
-- RCT_CAP (the host's MAX_RESUME_LOGIN_TOKENS, default 50), RCT_THREADS (wrk -t, default 2).

local user_id = os.getenv("RCT_USER_ID")
local token = os.getenv("RCT_TOKEN")
local users = tonumber(os.getenv("RCT_USERS") or "1000")
local prefix = os.getenv("RCT_PREFIX") or "user"
local sample_file = os.getenv("RCT_SAMPLE")
if sample_file == "" then sample_file = nil end
local cap = tonumber(os.getenv("RCT_CAP") or "50")
local thread_count = tonumber(os.getenv("RCT_THREADS") or "2")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Which sampled tokens must still work afterwards. The host keeps only the `cap` newest
-- tokens of each user, so a 200 whose token was followed by `cap` more for the same user
-- was rightly pruned. Each thread keeps only its latest `window` 200s; the threads run at
-- about the same rate, so after the oldest sampled token about threads * window +
-- connections more were issued, by all threads together, and a random user drew on average
-- (threads * window + connections) / users of them. The window keeps that near cap / 4
-- (with 1 000 users: 500 per thread, about one later token per user), so being pruned
-- would take a run of luck far beyond what a few thousand samples ever show.
local function sample_window()
  local w = math.floor(users * cap / (4 * thread_count))
  return math.max(1, math.min(500, w))
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-User-Id"] = user_id
  wrk.headers["X-Auth-Token"] = token
  window = sample_window()
  sampled = {}
  sampled_count = 0
end

function request()
  local body = string.format('{"username":"%s%d"}', prefix, math.random(1, users))
  return wrk.format(nil, "/api/v1/users.createToken", nil, body)
end

-- Only the body is kept here (a ring of the latest `window`); parsing waits for done().
function response(status, headers, body)
  if status == 200 and sample_file then
    sampled_count = sampled_count + 1
    sampled[(sampled_count - 1) % window + 1] = body
  end
end

function done(summary, latency, requests)
  if not sample_file then return end
  local f = io.open(sample_file, "a")
  for _, t in ipairs(threads) do
    for _, body in pairs(t:get("sampled") or {}) do
      local id = body:match('"userId":"([^"]+)"')
      local tok = body:match('"authToken":"([^"]+)"')
      if id and tok then f:write(id, " ", tok, "\n") end
    end
  end
  f:close()
end
