#!/usr/bin/env bash
# Soak: the Release host on a fresh data directory under mixed traffic (bench/mixed.lua:
# createToken, /api/v1/me with minted tokens, /api/info, expected 400s) for DURATION seconds,
# sampling the host's RSS every 10 s. PASS: no unexpected answer, no socket error, no 5xx in
# the host's /metrics, no error line in its log, and RSS grown by less than 5 % from the start
# of traffic (after the warm-up) to the end.
# Usage: DURATION=600 bench/soak.sh [--duration S] [--warmup S] [--connections N]
#   [--users N] [--host-threads N] [--log-level LEVEL] [--build-dir DIR]
# Defaults: DURATION or 600 s, 30 s warm-up, 64 connections, 1 000 users, log level warn (the
# host logs one line per request at info: about 100 bytes each). Without --build-dir it builds
# and uses build/release (cmake --preset release). Traffic goes to 127.0.0.1 only; every step
# is bounded in time. Exit 0 on PASS, 1 on FAIL.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/deps.sh"
source "$root/bench/lib.sh"
rct_install_deps test

duration="${DURATION:-600}" warmup=30 connections=64 users=1000 host_threads=0
log_level=warn build_dir="$root/build/release" preset=release wrk_threads=2
max_growth_pct=5
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --users) users="$2"; shift 2 ;;
    --host-threads) host_threads="$2"; shift 2 ;;
    --log-level) log_level="$2"; shift 2 ;;
    --build-dir) build_dir="$(cd "$2" && pwd)"; preset=""; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

if [ -n "$preset" ]; then
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --target rchost users_create_token >/dev/null
fi
rchost="$build_dir/rchost"
[ -x "$rchost" ] || { echo "no rchost in $build_dir" >&2; exit 1; }

work=$(mktemp -d)
host_pid="" sampler_pid=""
cleanup() {
  [ -z "$sampler_pid" ] || kill "$sampler_pid" 2>/dev/null || true
  [ -z "$host_pid" ] || stop_pid "$host_pid"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

data="$work/data"
seeded=$(timeout 600 "$rchost" user seed --data "$data" --count "$users" --prefix user)
timeout 60 "$rchost" user add --data "$data" --username soakadmin --password soak-password \
  --roles admin >/dev/null
port=$(free_port)
serve=(--data "$data" --plugins "$build_dir/plugins" --log-level "$log_level")
[ "$host_threads" -gt 0 ] && serve+=(--threads "$host_threads")
start_rchost "$rchost" "$work/host.log" "$port" "${serve[@]}" || exit 1
login_admin "$port" soakadmin soak-password || exit 1
export RCT_USERS="$users" RCT_PREFIX=user

url="http://127.0.0.1:$port"
wrk_args=(-t"$wrk_threads" -c"$connections" --timeout 5s -s "$root/bench/mixed.lua")
echo "soak: rchost $(basename "$build_dir") on $url, $users users ($seeded), $connections" \
  "connections, ${warmup}s warm-up, then ${duration}s; $(nproc) cores"

# Warm-up: caches, the database and the session table grow to their working size.
RCT_SUMMARY="$work/warmup.txt" timeout $((warmup + 60)) wrk "${wrk_args[@]}" -d"${warmup}s" \
  "$url" >"$work/warmup.out" 2>&1 || true
rss_start=$(rss_kib "$host_pid")

# RSS every 10 s while the traffic runs.
samples="$work/rss.txt"
echo "0 $rss_start" >"$samples"
(
  t=0
  while sleep 10; do
    t=$((t + 10))
    kill -0 "$host_pid" 2>/dev/null || exit 0
    echo "$t $(rss_kib "$host_pid")" >>"$samples"
  done
) &
sampler_pid=$!

RCT_SUMMARY="$work/summary.txt" timeout $((duration + 120)) wrk "${wrk_args[@]}" \
  -d"${duration}s" --latency "$url" >"$work/wrk.out" 2>&1 || true
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
host_alive=1
kill -0 "$host_pid" 2>/dev/null || host_alive=0
rss_end=0
[ "$host_alive" -eq 0 ] || rss_end=$(rss_kib "$host_pid")
rss_peak=0 host_5xx=0
if [ "$host_alive" -eq 1 ]; then
  rss_peak=$(awk '/^VmHWM:/ {print $2}' "/proc/$host_pid/status")
  host_5xx=$(curl -s --max-time 10 "$url/metrics" |
    awk '/^rchost_http_requests_total\{.*status="5[0-9][0-9]"/ { n += $NF } END { print n + 0 }')
fi
log_errors=$(grep -cE '^[^ ]+ (error|critical) ' "$work/host.log" || true)

out="$work/wrk.out"
summary="$work/summary.txt"
requests=$(awk '/requests in/ {print $1}' "$out")
rps=$(awk '/Requests\/sec/ {print $2}' "$out")
p99=$(awk '$1=="99%" {print $2}' "$out")
socket_errors=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out")
value() { awk -v k="$1" '$1 == k {print $2}' "$summary" 2>/dev/null; }
mint=$(value mint) me=$(value me) info=$(value info) refused=$(value refused)
unexpected=$(value unexpected)
errors=$(( ${unexpected:-0} + ${socket_errors:-0} + host_5xx + log_errors ))
[ -n "$requests" ] && [ -s "$summary" ] || errors=$((errors + 1))
[ "$host_alive" -eq 1 ] || errors=$((errors + 1))

echo
echo "RSS every 10 s (KiB):"
awk '{printf "  %4ss %8d\n", $1, $2}' "$samples"
printf '  end   %8d\n' "$rss_end"
echo
echo "requests:      ${requests:-0} in ${duration}s (${rps:-0} req/s, p99 ${p99:--})"
echo "  answered:    createToken ${mint:-0}, /api/v1/me ${me:-0}, /api/info ${info:-0}," \
  "expected 400 ${refused:-0}"
echo "errors:        $errors (unexpected answers ${unexpected:-?}, socket errors" \
  "${socket_errors:-0}, 5xx answers $host_5xx, error lines in the host log $log_errors$(
    [ "$host_alive" -eq 1 ] || echo ", HOST DIED"))"
growth=$(awk -v a="$rss_start" -v b="$rss_end" 'BEGIN { if (a > 0) printf "%.2f", (b - a) * 100 / a; else print "nan" }')
printf 'RSS:           start %.1f MiB (after %ss warm-up), end %.1f MiB, growth %s %%, peak %.1f MiB\n' \
  "$(awk -v k="$rss_start" 'BEGIN{print k/1024}')" "$warmup" \
  "$(awk -v k="$rss_end" 'BEGIN{print k/1024}')" "$growth" \
  "$(awk -v k="$rss_peak" 'BEGIN{print k/1024}')"
if [ "${unexpected:-0}" -gt 0 ] && [ -s "$summary" ]; then
  echo "first unexpected answers:"
  awk 'NR > 5' "$summary" | sed 's/^/  /'
fi
if [ "$errors" -eq 0 ] && awk -v g="$growth" -v m="$max_growth_pct" 'BEGIN { exit !(g != "nan" && g + 0 < m) }'; then
  echo "PASS (target: 0 errors, RSS growth < ${max_growth_pct} %)"
  exit 0
fi
echo "FAIL (target: 0 errors, RSS growth < ${max_growth_pct} %)"
[ "$errors" -eq 0 ] || { echo "host log, last lines:"; tail -n 20 "$work/host.log" | sed 's/^/  /'; }
exit 1
