#!/usr/bin/env bash
# createToken throughput of one reference host on PostgreSQL (a throwaway cluster from
# scripts/pg.sh): wrk drives bench/createToken.lua; every 200 costs one session and one audit
# row, both durable. Usage: bench/pg_createToken.sh [--build-dir DIR] [--duration S]
#   [--connections "8 32 64"] [--users N] [--threads N]. Traffic stays on 127.0.0.1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/deps.sh"
rct_install_deps test
source "$root/scripts/pg.sh"

build_dir="$root/build/release" duration=10 warmup=2 connections="8 32 64" users=1000 threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --users) users="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
rchost="$build_dir/rchost"
[ -x "$rchost" ] || rchost="$build_dir/host-sdk/host/rchost"
[ -x "$rchost" ] || { echo "no rchost in $build_dir" >&2; exit 1; }

work=$(mktemp -d)
host_pid=""
cleanup() {
  if [ -n "$host_pid" ]; then kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; fi
  rct_pg_stop || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rct_pg_start >/dev/null
url="$RCT_PG_URL"

"$rchost" user add --storage "$url" --username benchadmin --password bench-password \
  --roles admin >/dev/null
"$rchost" user seed --storage "$url" --count "$users" --prefix user >/dev/null

port=$(shuf -i 20000-60000 -n 1)
CREATE_TOKENS_FOR_USERS=true "$rchost" serve --address 127.0.0.1 --port "$port" \
  --storage "$url" --threads "$threads" --log-level warn --plugins "$build_dir/plugins" \
  >"$work/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/info" && break; sleep 0.1; done
login=$(curl -s "http://127.0.0.1:$port/api/v1/login" -H 'Content-Type: application/json' \
  -d '{"user":"benchadmin","password":"bench-password"}')
export RCT_USER_ID=$(printf '%s' "$login" | sed -n 's/.*"userId":"\([^"]*\)".*/\1/p')
export RCT_TOKEN=$(printf '%s' "$login" | sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p')
export RCT_USERS="$users" RCT_PREFIX=user
[ -n "$RCT_TOKEN" ] || { echo "admin login failed" >&2; exit 1; }

# WAL flushes: what durability costs, and what group commit saves.
wal_syncs() { psql -At "$url" -c "SELECT wal_sync FROM pg_stat_wal"; }

printf '%-6s %10s %9s %9s %7s %15s\n' conns req/s p50 p99 non2xx fsyncs/request
for c in $connections; do
  t=2; [ "$c" -lt 2 ] && t=1
  wrk -t"$t" -c"$c" -d"${warmup}s" -s "$root/bench/createToken.lua" "http://127.0.0.1:$port" >/dev/null 2>&1 || true
  before=$(wal_syncs)
  out=$(wrk -t"$t" -c"$c" -d"${duration}s" --latency -s "$root/bench/createToken.lua" "http://127.0.0.1:$port" 2>&1)
  after=$(wal_syncs)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  ratio=$(awk -v d="$((after - before))" -v n="${total:-0}" 'BEGIN { if (n > 0) printf "%.2f", d / n; else print "-" }')
  printf '%-6s %10s %9s %9s %7s %15s\n' "$c" "${rps:-0}" "${p50:--}" "${p99:--}" "${non2xx:-0}" "$ratio"
done
echo "$(nproc) cores; wrk, rchost ($threads threads) and PostgreSQL on one machine"
