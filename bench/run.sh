#!/usr/bin/env bash
# The benchmark: createToken on the reference host against nginx (the ceiling) and the host's
# own GET /api/info (the floor), alternating in one run. Usage: bench/run.sh [--users N]
#   [--duration S] [--connections "16 64"] [--smoke]. Traffic goes to 127.0.0.1 only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/deps.sh"
RCT_PACKAGES+=(wrk nginx-light)
rct_install_deps

users=1000 duration=10 warmup=3 connections="16 64" build_dir="$root/build/release" preset=release
while [ $# -gt 0 ]; do
  case "$1" in
    --users) users="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --smoke) duration=2 warmup=1 connections=16 users=100; shift ;;
    --build-dir) build_dir="$2"; preset=""; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

if [ -n "$preset" ]; then
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --target rchost users_create_token >/dev/null
fi
rchost="$build_dir/host-sdk/host/rchost"
work=$(mktemp -d)
host_pid="" nginx_pid=""
cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { # a random loopback port that nothing answers on
  local p
  while :; do
    p=$(shuf -i 20000-60000 -n 1)
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# Seed users and an admin, then start the host.
data="$work/data"
"$rchost" user seed --data "$data" --count "$users" --prefix user >/dev/null
"$rchost" user add --data "$data" --username benchadmin --password bench-password \
  --roles admin >/dev/null
host_port=$(free_port)
CREATE_TOKENS_FOR_USERS=true RCT_LOG_LEVEL=warn "$rchost" serve --address 127.0.0.1 \
  --port "$host_port" --data "$data" --plugins "$build_dir/plugins" >"$work/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$host_port/api/info" && break; sleep 0.1; done
login=$(curl -s "http://127.0.0.1:$host_port/api/v1/login" -H 'Content-Type: application/json' \
  -d '{"user":"benchadmin","password":"bench-password"}')
export RCT_USER_ID=$(printf '%s' "$login" | sed -n 's/.*"userId":"\([^"]*\)".*/\1/p')
export RCT_TOKEN=$(printf '%s' "$login" | sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p')
export RCT_USERS="$users" RCT_PREFIX=user RCT_SAMPLE="$work/sample.txt"
[ -n "$RCT_TOKEN" ] || { echo "admin login failed: $login" >&2; exit 1; }

nginx_port=$(free_port)
sed -e "s|@DIR@|$work|g" -e "s|@PORT@|$nginx_port|g" "$root/bench/nginx.conf.in" >"$work/nginx.conf"
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
sleep 0.3

cpu_ticks() { awk '{print $14 + $15}' "/proc/$host_pid/stat"; }
hz=$(getconf CLK_TCK)

# run NAME CONNECTIONS URL [SCRIPT] -> one table row
run() {
  local name="$1" conns="$2" url="$3" script="${4:-}" args=(-t2 -c"$2" -d"${duration}s" --latency)
  [ -n "$script" ] && args+=(-s "$script")
  wrk -t2 -c"$conns" -d"${warmup}s" ${script:+-s "$script"} "$url" >/dev/null 2>&1 || true
  local t0; t0=$(cpu_ticks)
  local out; out=$(wrk "${args[@]}" "$url" 2>&1)
  local t1; t1=$(cpu_ticks)
  local rps p50 p99 total non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  local cpu="-"
  if [ "$name" != nginx ] && [ "${total:-0}" -gt 0 ]; then
    cpu=$(awk -v d="$((t1 - t0))" -v hz="$hz" -v n="$total" 'BEGIN {printf "%.3f", d / hz / n * 1000}')
  fi
  printf '%s %s %s %s %s %s %s\n' "$name" "$conns" "${rps:-0}" "${p50:--}" "${p99:--}" "${non2xx:-0}" "$cpu"
}

rows="$work/rows.txt"
: >"$rows"
for c in $connections; do
  run nginx "$c" "http://127.0.0.1:$nginx_port/" "$root/bench/static.lua" >>"$rows"
  run info "$c" "http://127.0.0.1:$host_port/api/info" >>"$rows"
  : >"$RCT_SAMPLE"
  run createToken "$c" "http://127.0.0.1:$host_port" "$root/bench/createToken.lua" >>"$rows"
done
rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$host_pid/status")

echo
echo "users=$users duration=${duration}s $(nproc) cores, $(uname -m), wrk and host on one machine"
awk -v rss="$rss_kib" '
  BEGIN { printf "%-12s %5s %10s %9s %9s %7s %8s %12s\n", "target", "conns", "req/s", "p50", "p99", "non2xx", "vs nginx", "cpu s/1000" }
  { if ($1 == "nginx") ceiling[$2] = $3
    ratio = ($1 == "nginx" || ceiling[$2] == 0) ? "-" : sprintf("%.2f", $3 / ceiling[$2])
    printf "%-12s %5s %10s %9s %9s %7s %8s %12s\n", $1, $2, $3, $4, $5, $6, ratio, $7 }
  END { printf "host peak RSS: %.1f MiB\n", rss / 1024 }' "$rows"

# Every counted 200 must have left a working token: authenticate a sample of them.
checked=0 failed=0
while read -r id tok; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-User-Id: $id" -H "X-Auth-Token: $tok" \
    "http://127.0.0.1:$host_port/api/v1/me")
  checked=$((checked + 1))
  [ "$code" = 200 ] || failed=$((failed + 1))
  [ "$checked" -ge 1000 ] && break
done <"$RCT_SAMPLE"
echo "sampled tokens authenticated: $((checked - failed))/$checked"
[ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
