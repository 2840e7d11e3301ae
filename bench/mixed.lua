-- wrk script for the soak (bench/soak.sh): mixed traffic as a logged-in admin.
--   40 % POST /api/v1/users.createToken for a random seeded user
--   30 % GET /api/v1/me with a token this thread minted earlier
--   20 % GET /api/info
--   10 % createToken requests that must be refused with 400 (no target; malformed JSON)
-- Each answer is classified by its status and body, since wrk does not say which request an
-- answer belongs to; whatever is not one of the expected answers counts as unexpected.
-- Environment: RCT_USER_ID, RCT_TOKEN, RCT_USERS (count), RCT_PREFIX, RCT_SUMMARY (file the
-- totals are appended to).

local user_id = os.getenv("RCT_USER_ID")
local token = os.getenv("RCT_TOKEN")
local users = tonumber(os.getenv("RCT_USERS") or "1000")
local prefix = os.getenv("RCT_PREFIX") or "user"
local summary_file = os.getenv("RCT_SUMMARY")
local threads = {}

-- Recently minted tokens per thread. The host keeps the 50 newest per user; with 1 000 users a
-- token survives about 50 000 mints, far more than this ring spans, so /me must answer 200.
local ring_size = 64

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
  ring = {}
  ring_count = 0
  counts = { mint = 0, me = 0, info = 0, refused = 0, unexpected = 0 }
  samples = ""  -- the first few unexpected answers
end

local admin_headers = {
  ["Content-Type"] = "application/json",
  ["X-User-Id"] = user_id,
  ["X-Auth-Token"] = token,
}

local function mint(body)
  return wrk.format("POST", "/api/v1/users.createToken", admin_headers, body)
end

function request()
  local r = math.random(100)
  if r <= 40 or (r <= 70 and ring_count == 0) then
    return mint(string.format('{"username":"%s%d"}', prefix, math.random(1, users)))
  elseif r <= 70 then
    local pair = ring[math.random(1, math.min(ring_count, ring_size))]
    return wrk.format("GET", "/api/v1/me", { ["X-User-Id"] = pair[1], ["X-Auth-Token"] = pair[2] })
  elseif r <= 90 then
    return wrk.format("GET", "/api/info")
  elseif r <= 95 then
    return mint("{}")  -- no target: 400 error-user-param-not-provided
  else
    return mint('{"username":')  -- malformed: 400 error-invalid-params
  end
end

function response(status, headers, body)
  if status == 200 then
    local id, tok = body:match('"userId":"([^"]+)","authToken":"([^"]+)"')
    if id and tok then
      counts.mint = counts.mint + 1
      ring_count = ring_count + 1
      ring[(ring_count - 1) % ring_size + 1] = { id, tok }
      return
    end
    if body:find('"_id":', 1, true) then
      counts.me = counts.me + 1
      return
    end
    if body:find('"version":', 1, true) then
      counts.info = counts.info + 1
      return
    end
  elseif status == 400 and (body:find("error-user-param-not-provided", 1, true) or
                            body:find("error-invalid-params", 1, true)) then
    counts.refused = counts.refused + 1
    return
  end
  counts.unexpected = counts.unexpected + 1
  if counts.unexpected <= 5 then
    samples = samples .. status .. " " .. body:sub(1, 200) .. "\n"
  end
end

function done(summary, latency, requests)
  local total = { mint = 0, me = 0, info = 0, refused = 0, unexpected = 0 }
  local all_samples = ""
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, _ in pairs(total) do total[k] = total[k] + (c[k] or 0) end
    all_samples = all_samples .. (t:get("samples") or "")
  end
  local lines = string.format("mint %d\nme %d\ninfo %d\nrefused %d\nunexpected %d\n",
    total.mint, total.me, total.info, total.refused, total.unexpected)
  if summary_file and summary_file ~= "" then
    local f = io.open(summary_file, "w")
    f:write(lines)
    f:write(all_samples)
    f:close()
  else
    io.write(lines, all_samples)
  end
end
