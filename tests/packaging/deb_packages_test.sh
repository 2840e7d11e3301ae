#!/usr/bin/env bash
# The operators' path under test: cpack builds rchost_*.deb and rchost-plugin-*.deb, their
# contents and control fields are checked, and the host unpacked from them mints a token.
# Usage: deb_packages_test.sh BUILD_DIR CPACK VERSION. Exit 0 only when every check passed.
set -euo pipefail
build="${1:?usage: deb_packages_test.sh BUILD_DIR CPACK VERSION}"
cpack="${2:?usage: deb_packages_test.sh BUILD_DIR CPACK VERSION}"
version="${3:?usage: deb_packages_test.sh BUILD_DIR CPACK VERSION}"
plugin_dir=usr/lib/rchost/plugins/users-create-token

fail() { echo "FAIL: $*" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/rct-deb.XXXXXX")"
host_pid=""
cleanup() {
  local status=$?
  if [ -n "$host_pid" ]; then kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ]; then
    for log in "$work/cpack.log" "$work/host.log"; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- Build the packages into the temporary directory ----
timeout 240 "$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" \
  >"$work/cpack.log" 2>&1 || fail "cpack failed"
shopt -s nullglob
host_debs=("$work"/out/rchost_"$version"*.deb)
plugin_debs=("$work"/out/rchost-plugin-users-create-token_"$version"*.deb)
all_debs=("$work"/out/*.deb)
[ "${#host_debs[@]}" -eq 1 ] || fail "expected one rchost_$version*.deb, got: ${all_debs[*]##*/}"
[ "${#plugin_debs[@]}" -eq 1 ] || fail "expected one rchost-plugin-users-create-token_$version*.deb"
[ "${#all_debs[@]}" -eq 2 ] || fail "expected exactly two packages, got: ${all_debs[*]##*/}"
host_deb="${host_debs[0]}" plugin_deb="${plugin_debs[0]}"

# ---- Contents: the expected files, and nothing of the SDK ----
listing() { dpkg-deb -c "$1" | awk '{print $1, $6}' | sed 's| \./| /|; s|/$||'; }
listing "$host_deb" >"$work/host.list"
listing "$plugin_deb" >"$work/plugin.list"
has() { grep -qE "^$2 $3\$" "$work/$1.list" || fail "$1 package: no $3 ($2)"; }
has host '-rwxr-xr-x' /usr/bin/rchost
has host '-rw-r--r--' /lib/systemd/system/rchost.service
has host '-rw-------' /etc/default/rchost
has host '-rw-r-----' /etc/rchost/config.json
has host 'd.........' /var/lib/rchost
has plugin '-rw-r--r--' "/$plugin_dir/libusers_create_token.so"
has plugin '-rw-r--r--' "/$plugin_dir/manifest.json"
! grep -E ' /usr/(include|lib/cmake)|hostsdk' "$work/host.list" "$work/plugin.list" ||
  fail "the SDK leaked into a package"
! grep -q ' /usr/bin' "$work/plugin.list" || fail "the plugin package ships a binary"
! grep -q ' /usr/lib/rchost/plugins/.' "$work/host.list" || fail "the host package ships a plugin"

# ---- Control fields ----
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$host_deb" Package)" = rchost ] || fail "host Package: $(field "$host_deb" Package)"
[ "$(field "$plugin_deb" Package)" = rchost-plugin-users-create-token ] || fail "plugin Package"
[ "$(field "$host_deb" Version)" = "$version" ] || fail "host Version: $(field "$host_deb" Version)"
host_depends="$(field "$host_deb" Depends)"
plugin_depends="$(field "$plugin_deb" Depends)"
# Filled in by dpkg-shlibdeps (spdlog's package is libspdlog1.10-fmt9 on Debian 12).
for dep in adduser libsodium23 libsqlite3-0 libspdlog1 libpqxx-6 libboost-filesystem1; do
  grep -qE "(^|, )$dep[^ ,]*( |,|$)" <<<"$host_depends" || fail "host Depends lacks $dep: $host_depends"
done
grep -qE "(^|, )rchost \(>= $version\)(,|$)" <<<"$plugin_depends" ||
  fail "plugin Depends lacks rchost (>= $version): $plugin_depends"
[ "$(dpkg-deb -I "$host_deb" conffiles)" = "$(printf '/etc/default/rchost\n/etc/rchost/config.json')" ] ||
  fail "conffiles: $(dpkg-deb -I "$host_deb" conffiles | tr '\n' ' ')"
for script in postinst prerm; do
  dpkg-deb -I "$host_deb" "$script" | grep -q 'rchost' || fail "host package lacks $script"
done
dpkg-deb -I "$host_deb" postinst | grep -q 'adduser --system' || fail "postinst adds no user"
dpkg-deb -I "$host_deb" postinst | grep -q 'chown root:rchost /etc/rchost/config.json' ||
  fail "postinst leaves the config file unreadable to the service"

# ---- Unpack into a temporary root and run the host from there ----
root="$work/root"
dpkg -x "$host_deb" "$root"
dpkg -x "$plugin_deb" "$root"
rchost="$root/usr/bin/rchost"
! readelf -d "$rchost" | grep -qE 'R(UN)?PATH' || fail "the packaged rchost has an RPATH"
grep -q -- '--config /etc/rchost/config.json' "$root/lib/systemd/system/rchost.service" ||
  fail "the unit does not use the packaged config file"
# The packaged config file is valid and points at the packaged directories.
config="$root/etc/rchost/config.json"
"$rchost" config show --config "$config" >"$work/config.show" 2>&1 ||
  fail "the packaged config file is refused: $(cat "$work/config.show")"
grep -qP '^plugins_dir\t/usr/lib/rchost/plugins\tconfig ' "$work/config.show" ||
  fail "the config file does not use the packaged plugins directory"
grep -qP '^data_dir\t/var/lib/rchost\tconfig ' "$work/config.show" ||
  fail "the config file does not use the packaged data directory"

data="$work/data"
mkdir -m 700 "$data"
"$rchost" user add --data "$data" --username admin --password admin-password-1 --roles admin >/dev/null
bob_id="$("$rchost" user add --data "$data" --username bob --password bob-password-1 --roles user)"

# With the packaged config file; RCHOST_PORT=0 (the environment wins over the file): the host
# picks a free port and logs it. The flags put data and plugins into the temporary root.
# Not in a $(...), so cleanup can stop it.
CREATE_TOKENS_FOR_USERS=true RCHOST_PORT=0 "$rchost" serve --config "$config" --data "$data" \
  --plugins "$root/usr/lib/rchost/plugins" >"$work/host.log" 2>&1 &
host_pid=$!
port=""
for _ in $(seq 1 200); do
  port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/host.log" | head -n 1)"
  [ -n "$port" ] && break
  kill -0 "$host_pid" 2>/dev/null || fail "the host exited"
  sleep 0.1
done
[ -n "$port" ] || fail "the host did not start within 20 s"
base="http://127.0.0.1:$port/api/v1"
http() { curl -sS --max-time 10 -o "$work/body" -w '%{http_code}' -H 'Content-Type: application/json' "$@"; }

code="$(http "$base/login" -d '{"user":"admin","password":"admin-password-1"}')"
[ "$code" = 200 ] || fail "login: HTTP $code $(cat "$work/body")"
admin_id="$(sed -n 's/.*"userId":"\([^"]*\)".*/\1/p' "$work/body")"
admin_token="$(sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p' "$work/body")"
{ [ -n "$admin_id" ] && [ -n "$admin_token" ]; } || fail "login body: $(cat "$work/body")"

code="$(http -H "X-User-Id: $admin_id" -H "X-Auth-Token: $admin_token" \
  "$base/users.createToken" -d '{"username":"bob"}')"
[ "$code" = 200 ] || fail "users.createToken: HTTP $code $(cat "$work/body")"
grep -q "\"userId\":\"$bob_id\"" "$work/body" || fail "minted for someone else: $(cat "$work/body")"
bob_token="$(sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p' "$work/body")"
[ "${#bob_token}" -eq 43 ] || fail "token: $(cat "$work/body")"
code="$(curl -sS --max-time 10 -o "$work/body" -w '%{http_code}' \
  -H "X-User-Id: $bob_id" -H "X-Auth-Token: $bob_token" "$base/me")"
[ "$code" = 200 ] || fail "the minted token does not log in: HTTP $code"

echo "packages OK: ${host_deb##*/} ${plugin_deb##*/}"
