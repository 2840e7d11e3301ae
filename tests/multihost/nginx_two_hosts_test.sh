#!/usr/bin/env bash
# Deployment example under test: two rchost processes on one PostgreSQL database (RCT_PG_URL,
# from scripts/pg.sh run) behind nginx rendered from deploy/nginx/rchost.conf, on loopback.
# Usage: nginx_two_hosts_test.sh RCHOST PLUGINS_DIR. Exit 0 only when every check passed.
set -euo pipefail
rchost="${1:?usage: nginx_two_hosts_test.sh RCHOST PLUGINS_DIR}"
plugins="${2:?usage: nginx_two_hosts_test.sh RCHOST PLUGINS_DIR}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
url="${RCT_PG_URL:?RCT_PG_URL is not set: run through scripts/pg.sh run}"
rounds=20

fail() { echo "FAIL: $*" >&2; exit 1; }

nginx_bin="$(command -v nginx || true)"
[ -n "$nginx_bin" ] || [ ! -x /usr/sbin/nginx ] || nginx_bin=/usr/sbin/nginx
if [ -z "$nginx_bin" ]; then
  [ "$(id -u)" -eq 0 ] || fail "nginx is missing; run as root or: sudo apt-get install -y nginx-light"
  echo "installing nginx-light" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >&2
  nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/rct-nginx.XXXXXX")"
chmod 755 "$work"  # nginx's workers (nobody, when started as root) read below it
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/host-*.log "$work"/nginx/error.log; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cli() { "$rchost" "$@" --storage "$url"; }
cli user add --username admin --password admin-password-1 --roles admin >/dev/null
alice_id="$(cli user add --username alice --password alice-password-1 --roles user)"
cli setting set CREATE_TOKENS_FOR_USERS true

# Each host on a port of its choosing (--port 0), read back from its log. Not in a $(...):
# the host must be a child of this shell, for cleanup to stop it.
start_host() { # NAME -> sets started_port
  local name="$1" log="$work/host-$1.log"
  started_port=""
  "$rchost" serve --address 127.0.0.1 --port 0 --threads 4 --storage "$url" \
    --plugins "$plugins" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 200); do
    started_port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)"
    [ -n "$started_port" ] && return 0
    sleep 0.1
  done
  fail "host $name did not start"
}
start_host a
port_a="$started_port"
start_host b
port_b="$started_port"
[ "$port_a" != "$port_b" ] || fail "both hosts on one port"

# nginx on a free loopback port; another try if it lost the port to someone else.
prefix="$work/nginx"
mkdir -p "$prefix/tmp"
nginx_port=""
for attempt in 1 2 3; do
  port="$(shuf -i 20000-60000 -n 1)"
  sed -e "s|@PREFIX@|$prefix|g" -e "s|@LISTEN@|127.0.0.1:$port|g" \
    -e "s|@HOST_A@|127.0.0.1:$port_a|g" -e "s|@HOST_B@|127.0.0.1:$port_b|g" \
    "$root/deploy/nginx/rchost.conf" >"$prefix/nginx.conf"
  "$nginx_bin" -t -q -p "$prefix" -c "$prefix/nginx.conf" || fail "nginx rejects the config"
  "$nginx_bin" -p "$prefix" -c "$prefix/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 1 50); do
    kill -0 "$nginx_pid" 2>/dev/null || break
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/api/info"; then
      nginx_port="$port"
      break
    fi
    sleep 0.1
  done
  if [ -n "$nginx_port" ]; then pids+=("$nginx_pid"); break; fi
  kill "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
done
[ -n "$nginx_port" ] || fail "nginx did not start"
front="http://127.0.0.1:$nginx_port"

json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
# curl_status FILE ARGS...: the HTTP status; the body goes to FILE.
curl_status() { local out="$1"; shift; curl -s --max-time 5 -o "$out" -w '%{http_code}' "$@"; }

login="$(curl -s --max-time 5 "$front/api/v1/login" -H 'Content-Type: application/json' \
  -d '{"user":"admin","password":"admin-password-1"}')"
admin_id="$(printf '%s' "$login" | json_field userId)"
admin_token="$(printf '%s' "$login" | json_field authToken)"
[ -n "$admin_token" ] || fail "login through nginx failed"

body="$work/body.json"
tokens=()
for i in $(seq 1 "$rounds"); do
  # nginx alternates between the hosts; an extra request now and then shifts which host gets
  # the mint and which the /me, so each host sees both.
  if [ $((i % 3)) -eq 0 ]; then curl -s -o /dev/null --max-time 5 "$front/api/info"; fi
  status="$(curl_status "$body" "$front/api/v1/users.createToken" \
    -H "X-User-Id: $admin_id" -H "X-Auth-Token: $admin_token" \
    -H 'Content-Type: application/json' -d '{"username":"alice"}')"
  [ "$status" = 200 ] || fail "createToken #$i through nginx answered $status"
  [ "$(json_field userId <"$body")" = "$alice_id" ] || fail "createToken #$i: wrong user"
  token="$(json_field authToken <"$body")"
  tokens+=("$token")
  # The next request may well reach the other host: the token must work there at once.
  status="$(curl_status "$body" "$front/api/v1/me" -H "X-User-Id: $alice_id" -H "X-Auth-Token: $token")"
  [ "$status" = 200 ] || fail "/me #$i with a fresh token answered $status"
  grep -q '"username":"alice"' "$body" || fail "/me #$i: not alice"
done

# Logout through nginx ends the session on both hosts.
status="$(curl_status "$body" -X POST "$front/api/v1/logout" \
  -H "X-User-Id: $alice_id" -H "X-Auth-Token: ${tokens[0]}")"
[ "$status" = 200 ] || fail "logout answered $status"
for _ in 1 2 3 4; do
  status="$(curl_status "$body" "$front/api/v1/me" -H "X-User-Id: $alice_id" -H "X-Auth-Token: ${tokens[0]}")"
  [ "$status" = 401 ] || fail "/me after logout answered $status"
done

# Both upstreams served createToken and /me: each host's own counters say so.
served() { # PORT ROUTE -> how many 200s the host counted for ROUTE
  curl -s --max-time 5 "http://127.0.0.1:$1/metrics" |
    awk -v r="route=\"$2\"" 'index($0, "rchost_http_requests_total{") == 1 && index($0, r) &&
      index($0, "status=\"200\"") { n += $NF } END { print n + 0 }'
}
mint_a="$(served "$port_a" /api/v1/users.createToken)"
mint_b="$(served "$port_b" /api/v1/users.createToken)"
me_a="$(served "$port_a" /api/v1/me)"
me_b="$(served "$port_b" /api/v1/me)"
echo "createToken 200s: host a $mint_a, host b $mint_b; /me 200s: host a $me_a, host b $me_b"
[ "$((mint_a + mint_b))" -eq "$rounds" ] || fail "the hosts counted $((mint_a + mint_b)) mints, not $rounds"
[ "$mint_a" -gt 0 ] && [ "$mint_b" -gt 0 ] || fail "createToken did not reach both hosts"
[ "$me_a" -gt 0 ] && [ "$me_b" -gt 0 ] || fail "/me did not reach both hosts"

# No log line of either host or of nginx holds a token.
for t in "$admin_token" "${tokens[@]}"; do
  if grep -rqF -- "$t" "$work"/host-*.log "$prefix"/*.log; then fail "a token reached a log"; fi
done
echo "PASS: $rounds tokens minted and used through nginx over two hosts on one database"
