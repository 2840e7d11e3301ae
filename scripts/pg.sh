#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests: private dir, Unix socket only, trust auth, one database.
# `source scripts/pg.sh; rct_pg_start; trap rct_pg_stop EXIT` or `scripts/pg.sh start|stop|run`.

RCT_PG_DB="${RCT_PG_DB:-rct}"

_rct_pg_newest_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; fi
  done | sort -V | tail -n 1
}

# Newest installed server's bin dir; installs the server packages (as root) when none is there.
rct_pg_bindir() {
  local dir
  dir="$(_rct_pg_newest_bindir)"
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "pg.sh: no PostgreSQL server; run as root or: sudo apt-get install -y postgresql" >&2
      return 1
    fi
    echo "pg.sh: installing postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 &&
      apt-get install -y -qq --no-install-recommends postgresql >&2 || return 1
    dir="$(_rct_pg_newest_bindir)"
  fi
  echo "$dir"
}

# The server refuses to run as root, so root runs it as the `postgres` user.
rct_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# rct_pg_start [DIR]: new cluster in DIR (default: a fresh temp dir); exports RCT_PG_DIR and
# RCT_PG_URL and prints the URL. On failure the half-made cluster is removed.
rct_pg_start() {
  local dir
  dir="${1:-$(mktemp -d "${TMPDIR:-/tmp}/rct-pg.XXXXXX")}" || return 1
  if [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    echo "pg.sh: '$dir' is not empty; give a new or empty dir" >&2
    return 1
  fi
  mkdir -p "$dir" && touch "$dir/.rct-pg" || return 1  # marks the dir as ours: stop may delete it
  export RCT_PG_DIR="$dir"
  if ! _rct_pg_create "$dir"; then
    rct_pg_stop "$dir"
    return 1
  fi
  export RCT_PG_URL="postgresql:///$RCT_PG_DB?host=$dir/sock&user=postgres"
  echo "$RCT_PG_URL"
}

_rct_pg_create() {
  local dir="$1" bin
  bin="$(rct_pg_bindir)" || return 1
  mkdir -p "$dir/sock" && chmod 755 "$dir" "$dir/sock" || return 1
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$dir" || return 1; fi
  # Throwaway data: skip initdb's fsync. The server itself keeps fsync and synchronous_commit on.
  rct_pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
    { echo "pg.sh: initdb failed:" >&2; tail -n 20 "$dir/initdb.log" >&2; return 1; }
  rct_pg_resume "$dir" || return 1
  rct_pg_as_owner "$bin/createdb" -h "$dir/sock" -U postgres "$RCT_PG_DB" ||
    { echo "pg.sh: createdb failed" >&2; return 1; }
}

# rct_pg_halt [DIR]: stop the server but keep its data (tests of an outage).
rct_pg_halt() {
  local dir="${1:-${RCT_PG_DIR:-}}" bin
  [ -n "$dir" ] && [ -f "$dir/data/postmaster.pid" ] || return 0
  bin="$(rct_pg_bindir)" || return 1
  rct_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null ||
    rct_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null
}

# rct_pg_resume [DIR]: start (again) the server of DIR, listening only on DIR/sock.
rct_pg_resume() {
  local dir="${1:-${RCT_PG_DIR:-}}" bin
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    echo "pg.sh: no cluster in '$dir'" >&2
    return 1
  fi
  bin="$(rct_pg_bindir)" || return 1
  rct_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c max_connections=100" \
    start >/dev/null ||
    { echo "pg.sh: server did not start:" >&2; tail -n 20 "$dir/server.log" >&2; return 1; }
}

# rct_pg_stop [DIR]: stop the server and remove its dir. Safe to call twice (trap on EXIT).
rct_pg_stop() {
  local dir="${1:-${RCT_PG_DIR:-}}"
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if [ ! -f "$dir/.rct-pg" ]; then
    echo "pg.sh: '$dir' was not made by pg.sh; not removing it" >&2
    return 1
  fi
  rct_pg_halt "$dir" || true
  rm -rf "$dir"
  if [ "${RCT_PG_DIR:-}" = "$dir" ]; then unset RCT_PG_DIR RCT_PG_URL; fi
}

# rct_pg_run CMD...: run CMD with a throwaway cluster (RCT_PG_URL, RCT_PG_DIR set), always
# removing the cluster afterwards, also on Ctrl-C or TERM; returns CMD's status.
rct_pg_run() {
  (_rct_pg_run "$@")  # a subshell, so the caller's own traps stay as they were
}

_RCT_PG_CHILD=""

_rct_pg_run() {
  trap '_rct_pg_run_cleanup' EXIT
  trap 'exit 130' INT TERM
  rct_pg_start >/dev/null || exit 1
  # In the background so that `wait` (unlike a foreground command) returns on a signal.
  "$@" &
  _RCT_PG_CHILD=$!
  local status=0
  wait "$_RCT_PG_CHILD" || status=$?
  _RCT_PG_CHILD=""
  return "$status"
}

_rct_pg_run_cleanup() {
  if [ -n "${_RCT_PG_CHILD:-}" ]; then
    kill "$_RCT_PG_CHILD" 2>/dev/null || true
    wait "$_RCT_PG_CHILD" 2>/dev/null || true
  fi
  rct_pg_stop || true
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start)
      rct_pg_start "${2:-}" >/dev/null
      # Eval-able: eval "$(scripts/pg.sh start)"
      printf 'export RCT_PG_DIR=%q\nexport RCT_PG_URL=%q\n' "$RCT_PG_DIR" "$RCT_PG_URL"
      ;;
    stop) rct_pg_stop "${2:?usage: pg.sh stop DIR}" ;;
    halt) rct_pg_halt "${2:?usage: pg.sh halt DIR}" ;;
    resume) rct_pg_resume "${2:?usage: pg.sh resume DIR}" ;;
    run)
      shift
      [ $# -gt 0 ] || { echo "usage: pg.sh run CMD..." >&2; exit 2; }
      _rct_pg_run "$@"
      ;;
    *)
      echo "usage: pg.sh start [DIR] | stop DIR | halt DIR | resume DIR | run CMD..." >&2
      exit 2
      ;;
  esac
fi
