# Helpers shared by the benchmark scripts (bench/run.sh, bench/soak.sh): loopback ports,
# stopping processes, process CPU and memory, starting rchost and logging its admin in.
# Source it; every step is bounded in time, and traffic stays on 127.0.0.1.

# free_port: a random loopback port below the ephemeral range that nothing answers on.
free_port() {
  local p low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
  while :; do
    p=$(shuf -i 10000-$((low - 1)) -n 1)
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# stop_pid PID: SIGTERM, then SIGKILL after 15 s.
stop_pid() {
  local pid="$1"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# cpu_ticks PID...: CPU time (user + system) of the processes, in clock ticks.
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }

# rss_kib PID: resident set size now, in KiB (VmRSS).
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# start_rchost RCHOST LOG PORT SERVE_ARGS...: starts `RCHOST serve --address 127.0.0.1 --port
# PORT SERVE_ARGS...` in the background with CREATE_TOKENS_FOR_USERS=true, output to LOG; sets
# host_pid and waits (10 s at most) until GET /api/info answers. Prints the log and returns 1
# when it does not.
start_rchost() {
  local rchost="$1" log="$2" port="$3"; shift 3
  CREATE_TOKENS_FOR_USERS=true "$rchost" serve --address 127.0.0.1 --port "$port" "$@" \
    >"$log" 2>&1 &
  host_pid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/info" && return 0; sleep 0.1; done
  curl -s -o /dev/null "http://127.0.0.1:$port/api/info" && return 0
  echo "rchost did not start:" >&2
  cat "$log" >&2
  return 1
}

# login_admin PORT USERNAME PASSWORD: POST /api/v1/login; exports RCT_USER_ID and RCT_TOKEN,
# the credentials the wrk scripts send. Returns 1 when the login fails.
login_admin() {
  local login
  login=$(curl -s --max-time 10 "http://127.0.0.1:$1/api/v1/login" \
    -H 'Content-Type: application/json' -d "{\"user\":\"$2\",\"password\":\"$3\"}")
  export RCT_USER_ID RCT_TOKEN
  RCT_USER_ID=$(printf '%s' "$login" | sed -n 's/.*"userId":"\([^"]*\)".*/\1/p')
  RCT_TOKEN=$(printf '%s' "$login" | sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p')
  [ -n "$RCT_TOKEN" ] || { echo "admin login failed: $login" >&2; return 1; }
}
