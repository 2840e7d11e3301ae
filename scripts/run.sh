#!/usr/bin/env bash
# The README's main job: build (Release), initialise a data directory, start the reference
# host with the plugin on 127.0.0.1:3000, and print ready-to-paste credentials and calls.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Paths relative to the checkout in ccache keys, so that another clone reuses the cache.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
source scripts/deps.sh
rct_install_deps

port="${PORT:-3000}"
data="${RCT_DATA_DIR:-$root/var}"
build="$root/build/release"

cmake --preset release >/dev/null
cmake --build --preset release --target rchost users_create_token
rchost="$build/rchost"

if [ ! -f "$data/host.db" ]; then
  echo "Initialising $data"
  mkdir -p "$data" && chmod 700 "$data"
  # The admin password is random and kept beside the database, readable by its owner only.
  umask 077
  head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$data/admin-password"
  "$rchost" user add --data "$data" --username admin --name Administrator \
    --password "$(cat "$data/admin-password")" --roles admin >/dev/null
  "$rchost" user add --data "$data" --username test --name "Test User" \
    --password "$(head -c 18 /dev/urandom | base64)" --roles user >"$data/test-user-id"
fi

if curl -s -o /dev/null "http://127.0.0.1:$port/api/info"; then
  echo "Port $port is already in use; stop what listens there or run with PORT=<other>." >&2
  exit 1
fi

export CREATE_TOKENS_FOR_USERS=true
"$rchost" serve --address 127.0.0.1 --port "$port" --data "$data" --plugins "$build/plugins" &
host_pid=$!
trap 'kill "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/api/info" && break
  kill -0 "$host_pid" 2>/dev/null || { echo "The host did not start; see the log above." >&2; exit 1; }
  sleep 0.1
done

login=$(curl -s -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/v1/login" \
  -d "{\"user\":\"admin\",\"password\":\"$(cat "$data/admin-password")\"}")
user_id=$(printf '%s' "$login" | sed -n 's/.*"userId":"\([^"]*\)".*/\1/p')
token=$(printf '%s' "$login" | sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p')
test_id=$(cat "$data/test-user-id" 2>/dev/null || true)
if [ -z "$user_id" ] || [ -z "$token" ]; then
  echo "Could not log in as admin: $login" >&2
  exit 1
fi

cat <<TXT

The reference host is serving on http://127.0.0.1:$port with the users.createToken plugin.
Data: $data (admin password in $data/admin-password). Stop with Ctrl-C.

  X-User-Id:    $user_id
  X-Auth-Token: $token

Mint a token for the user "test":

curl -H "X-Auth-Token: $token" -H "X-User-Id: $user_id" \\
     -H "Content-type:application/json" \\
     http://localhost:$port/api/v1/users.createToken -d '{ "username": "test" }'

The same by id:

curl -H "X-Auth-Token: $token" -H "X-User-Id: $user_id" \\
     -H "Content-type:application/json" \\
     http://localhost:$port/api/v1/users.createToken -d '{ "userId": "${test_id:-<id of test>}" }'

TXT
wait "$host_pid"
