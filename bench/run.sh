#!/usr/bin/env bash
# The benchmark: createToken on the reference host against nginx (the ceiling) and the host's
# own GET /api/info (the floor), alternating in one run; then checks sampled tokens work.
# Usage: bench/run.sh [--users "1000 1000000"] [--duration S] [--warmup S]
#   [--connections "16 64"] [--host-threads N] [--build-dir DIR] [--smoke] [--micro]
#   [--postgres]
# --micro also runs the micro-benchmarks (rct_microbench, Google Benchmark) at the end.
# --postgres repeats the rows with the host on PostgreSQL (a throwaway cluster from
# scripts/pg.sh, synchronous_commit on) for the first user count, after the SQLite rows.
# Traffic goes to 127.0.0.1 only; every step is bounded in time. Exit 1 if a check fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/deps.sh"
source "$root/bench/lib.sh"
source "$root/scripts/pg.sh"
rct_install_deps test

users=1000 duration=10 warmup=3 connections="16 64" build_dir="$root/build/release"
preset=release host_threads=0 wrk_threads=2 check_max=1000 micro= postgres=
while [ $# -gt 0 ]; do
  case "$1" in
    --users) users="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --host-threads) host_threads="$2"; shift 2 ;;
    --smoke) duration=2 warmup=1 connections=16 users=100 check_max=200; shift ;;
    --build-dir) build_dir="$(cd "$2" && pwd)"; preset=""; shift 2 ;;
    --micro) micro=1; shift ;;
    --postgres) postgres=1; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

if [ -n "$preset" ]; then
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --target rchost users_create_token >/dev/null
  [ -z "$micro" ] || cmake --build --preset "$preset" --target rct_microbench >/dev/null
fi
rchost="$build_dir/rchost"
[ -x "$rchost" ] || { echo "no rchost in $build_dir" >&2; exit 1; }

work=$(mktemp -d)
host_pid="" nginx_pid=""
cleanup() {
  [ -z "$host_pid" ] || stop_pid "$host_pid"
  [ -z "$nginx_pid" ] || stop_pid "$nginx_pid"
  [ -z "$postgres" ] || rct_pg_stop || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hz=$(getconf CLK_TCK)

nginx_port=$(free_port)
sed -e "s|@DIR@|$work|g" -e "s|@PORT@|$nginx_port|g" "$root/bench/nginx.conf.in" >"$work/nginx.conf"
nginx -e "$work/error.log" -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 1 50); do curl -s -o /dev/null -X POST "http://127.0.0.1:$nginx_port/" && break; sleep 0.1; done
curl -s -o /dev/null -X POST "http://127.0.0.1:$nginx_port/" || { echo "nginx did not start" >&2; exit 1; }

# run NAME CONNECTIONS URL SCRIPT PIDS... -> one row: name conns req/s p50 p99 non2xx errors cpu
run() {
  local name="$1" conns="$2" url="$3" script="$4"; shift 4
  local args=(-t"$wrk_threads" -c"$conns" --timeout 5s)
  [ -n "$script" ] && args+=(-s "$script")
  # The warm-up samples no tokens: the measured run after it may rightly prune them.
  timeout $((warmup + 30)) env -u RCT_SAMPLE wrk "${args[@]}" -d"${warmup}s" "$url" >/dev/null 2>&1 ||
    true
  local t0 t1 out
  t0=$(cpu_ticks "$@")
  out=$(timeout $((duration + 30)) wrk "${args[@]}" -d"${duration}s" --latency "$url" 2>&1) || true
  t1=$(cpu_ticks "$@")
  local rps p50 p99 total non2xx errors cpu
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  errors=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")
  cpu=$(awk -v d="$((t1 - t0))" -v hz="$hz" -v n="${total:-0}" \
    'BEGIN { if (n > 0) printf "%.4f", d / hz / n * 1000; else print "-" }')
  echo "$name $conns ${rps:-0} ${p50:--} ${p99:--} ${non2xx:-0} ${errors:-0} $cpu"
}

# authenticate ID TOKEN lines of FILE against /api/v1/me, one curl process for all.
check_tokens() {
  local file="$1" port="$2" config="$work/me.curl"
  : >"$config"
  head -n "$check_max" "$file" | while read -r id tok; do
    [ -s "$config" ] && printf 'next\n' >>"$config"  # separates one request from the next
    {
      printf 'url = "http://127.0.0.1:%s/api/v1/me"\nheader = "X-User-Id: %s"\n' "$port" "$id"
      printf 'header = "X-Auth-Token: %s"\noutput = "/dev/null"\n' "$tok"
      printf 'write-out = "%%{http_code}\\n"\nmax-time = 5\n'
    } >>"$config"
  done
  [ -s "$config" ] || { echo "0 0"; return; }
  timeout 120 curl -s -K "$config" | awk '{ n++; if ($1 == 200) ok++ } END { print n + 0, ok + 0 }'
}

failures=0
fail() { echo "CHECK FAILED: $*" >&2; failures=$((failures + 1)); }

# bench USERS [sqlite|postgres]: a fresh host on fresh storage (a new data directory, or a new
# database in the PostgreSQL cluster), every row, the table and the checks.
bench() {
  local n="$1" kind="${2:-sqlite}" port seeded store
  if [ "$kind" = postgres ]; then
    rct_pg_as_owner "$(rct_pg_bindir)/createdb" -h "$RCT_PG_DIR/sock" -U postgres "bench_$n"
    store=(--storage "postgresql:///bench_$n?host=$RCT_PG_DIR/sock&user=postgres")
  else
    store=(--data "$work/data-$n")
  fi
  seeded=$(timeout 600 "$rchost" user seed "${store[@]}" --count "$n" --prefix user)
  timeout 60 "$rchost" user add "${store[@]}" --username benchadmin --password bench-password \
    --roles admin >/dev/null
  port=$(free_port)
  local serve=("${store[@]}" --plugins "$build_dir/plugins")
  [ "$host_threads" -gt 0 ] && serve+=(--threads "$host_threads")
  local log="$work/host-$kind-$n.log"
  start_rchost "$rchost" "$log" "$port" "${serve[@]}" || exit 1
  login_admin "$port" benchadmin bench-password || exit 1
  export RCT_USERS="$n" RCT_PREFIX=user RCT_SAMPLE="$work/sample.txt" RCT_THREADS="$wrk_threads"

  local rows="$work/rows-$kind-$n.txt" rss_after=0 c load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  : >"$rows"
  for c in $connections; do
    run nginx "$c" "http://127.0.0.1:$nginx_port/" "$root/bench/static.lua" \
      $(pgrep -P "$nginx_pid") >>"$rows"
    : >"$RCT_SAMPLE"  # only the last createToken run is checked: later runs prune earlier tokens
    run createToken "$c" "http://127.0.0.1:$port" "$root/bench/createToken.lua" "$host_pid" >>"$rows"
    run info "$c" "http://127.0.0.1:$port/api/info" "" "$host_pid" >>"$rows"
    rss_after=$(awk '/VmRSS/ {print $2}' "/proc/$host_pid/status")
  done
  local rss_peak
  rss_peak=$(awk '/VmHWM/ {print $2}' "/proc/$host_pid/status")

  echo
  echo "users=$n ($seeded), storage $kind; ${duration}s per row after ${warmup}s warm-up; wrk -t$wrk_threads;" \
    "$(nproc) cores; load average before: $load"
  awk -v rss="$rss_after" -v peak="$rss_peak" '
    BEGIN { printf "%-12s %5s %10s %9s %9s %7s %7s %8s %11s\n", "target", "conns", "req/s", "p50",
              "p99", "non2xx", "errors", "vs nginx", "cpu s/1000" }
    { if ($1 == "nginx") ceiling[$2] = $3
      ratio = ($1 == "nginx" || ceiling[$2] == 0) ? "-" : sprintf("%.2f", $3 / ceiling[$2])
      printf "%-12s %5s %10s %9s %9s %7s %7s %8s %11s\n", $1, $2, $3, $4, $5, $6, $7, ratio, $8 }
    END { printf "host RSS after the last run: %.1f MiB; peak: %.1f MiB\n", rss / 1024, peak / 1024 }' \
    "$rows"
  echo "(cpu s/1000: CPU seconds of the server per 1 000 requests; nginx: its workers)"

  # Every counted 200 must have left a working token: authenticate a sample of them.
  local checked ok
  read -r checked ok < <(check_tokens "$RCT_SAMPLE" "$port")
  echo "sampled tokens authenticated: $ok/$checked"
  [ "$checked" -gt 0 ] && [ "$ok" -eq "$checked" ] || fail "sampled tokens: $ok of $checked work"
  # And none of them may appear in the host's log.
  if cut -d' ' -f2 "$RCT_SAMPLE" | grep -qF -f - "$log"; then fail "a token was logged"; fi
  awk '$1 == "createToken" && ($3 + 0 == 0 || $6 + 0 > 0 || $7 + 0 > 0) { bad = 1 } END { exit bad }' \
    "$rows" || fail "createToken rows must have requests and no non-2xx or socket errors"
  grep -q '^createToken' "$rows" || fail "no createToken row"

  stop_pid "$host_pid"
  host_pid=""
  [ "$kind" = postgres ] ||
    awk -v n="$n" '$1 == "createToken" { print n, $2, $3 }' "$rows" >>"$work/scale.txt"
}

for n in $users; do bench "$n"; done
if [ -n "$postgres" ]; then
  rct_pg_start >/dev/null
  bench "${users%% *}" postgres
fi

# With several user counts: throughput at each count relative to the first.
if [ "$(wc -w <<<"$users")" -gt 1 ]; then
  echo
  awk 'NR == FNR { if (!($2 in base)) base[$2] = $3; next }
       { printf "createToken %s users, %s connections: %s req/s = %.2f x %s users\n", $1, $2, $3,
         $3 / base[$2], first }' first="${users%% *}" "$work/scale.txt" "$work/scale.txt"
fi
if [ -n "$micro" ]; then
  echo
  timeout 300 "$build_dir/bench/rct_microbench" --benchmark_min_time=0.5 2>&1
fi
[ "$failures" -eq 0 ] || exit 1
