#!/usr/bin/env bash
# Proves the installed SDK is enough to write a plugin: install it, build examples/hello-plugin
# from a copy outside the tree with find_package(hostsdk), test it, and load it into rchost.
set -euo pipefail

usage() {
  echo "usage: $0 --build-dir D --source-dir D --work-dir D --generator G --cxx C" \
       "[--build-type T] [--launcher L] [--sanitize LIST --cxx-id ID] [--rchost PATH]" >&2
  exit 2
}

build_dir="" source_dir="" work="" generator="" cxx="" build_type="" launcher="" rchost=""
sanitize="" cxx_id=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2" ;;
    --source-dir) source_dir="$2" ;;
    --work-dir) work="$2" ;;
    --generator) generator="$2" ;;
    --cxx) cxx="$2" ;;
    --build-type) build_type="$2" ;;
    --launcher) launcher="$2" ;;
    --rchost) rchost="$2" ;;
    --sanitize) sanitize="$2" ;;
    --cxx-id) cxx_id="$2" ;;
    *) usage ;;
  esac
  shift 2
done
[ -n "$build_dir" ] && [ -n "$source_dir" ] && [ -n "$work" ] && [ -n "$cxx" ] || usage

step() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# A fixed scratch directory (wiped each run) keeps compile commands identical between runs,
# so ccache makes reruns cheap.
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
src="$work/hello-src"
out="$work/hello-build"

step "install the SDK (component hostsdk) into $prefix"
cmake --install "$build_dir" --prefix "$prefix" --component hostsdk >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install"; }
for f in include/hostsdk/hostsdk.h include/hostsdk/mock/mock_host.h lib/libhostsdk_mock.a \
         lib/cmake/hostsdk/hostsdk-config.cmake lib/cmake/hostsdk/hostsdk-config-version.cmake \
         lib/cmake/hostsdk/hostsdk-targets.cmake lib/cmake/hostsdk/HostsdkPlugin.cmake \
         lib/cmake/hostsdk/hostsdk-plugin.map; do
  [ -f "$prefix/$f" ] || fail "not installed: $f"
done
# Only the SDK: no host, no product plugin.
if find "$prefix" -name 'rchost' -o -name 'libusers_create_token*' | grep -q .; then
  fail "component hostsdk installed more than the SDK"
fi
# The package must not point back into this tree.
if grep -rlF -e "$source_dir" -e "$build_dir" "$prefix/lib/cmake"; then
  fail "installed CMake files refer to the source or build tree"
fi

step "configure and build examples/hello-plugin out of tree (C++17)"
cp -r "$source_dir/examples/hello-plugin" "$src"
# The installed headers must compile cleanly, not just compile.
cxx_flags="-Wall -Wextra -Wpedantic -Wshadow -Werror"
configure=(-S "$src" -B "$out" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx"
           -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
# Instrumented like the SDK build, as cmake/Sanitizers.cmake does it.
if [ -n "$sanitize" ]; then
  cxx_flags+=" -fsanitize=$sanitize -fno-omit-frame-pointer"
  configure+=(-DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$sanitize"
              -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=$sanitize")
  if [ "$cxx_id" = "Clang" ]; then
    configure+=(-DCMAKE_CXX_STANDARD_LIBRARIES="-Wl,-z,undefs")
  fi
fi
configure+=(-DCMAKE_CXX_FLAGS="$cxx_flags")
[ -n "$generator" ] && configure+=(-G "$generator")
[ -n "$build_type" ] && configure+=(-DCMAKE_BUILD_TYPE="$build_type")
[ -n "$launcher" ] && configure+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
cmake "${configure[@]}" >"$work/configure.log" || { cat "$work/configure.log"; fail "configure"; }
grep -qxF "hostsdk_DIR:PATH=$prefix/lib/cmake/hostsdk" "$out/CMakeCache.txt" ||
  fail "hostsdk was not found in the install prefix: $(grep hostsdk_DIR "$out/CMakeCache.txt")"
cmake --build "$out" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "build"; }

commands="$out/compile_commands.json"
[ "$(grep -c '"command"' "$commands")" -gt 0 ] || fail "no compile commands"
[ "$(grep '"command"' "$commands" | grep -vc -- '-std=c++17')" -eq 0 ] ||
  fail "a translation unit was not compiled as -std=c++17"

step "check the plugin library: one dynamic export, staged with its manifest"
stage="$out/plugins/hello"
[ -f "$stage/libhello_plugin.so" ] && [ -f "$stage/manifest.json" ] || fail "not staged: $stage"
exports="$(nm -D --defined-only "$stage/libhello_plugin.so" | awk '{print $NF}')"
[ "$exports" = "hostsdk_plugin_descriptor" ] || fail "dynamic exports are: $exports"

step "run the plugin's mock-host test"
ctest --test-dir "$out" --output-on-failure

if [ -z "$rchost" ]; then
  echo "rchost not built: skipping the reference-host check"
  exit 0
fi

step "load the plugin into rchost and call GET /api/v1/hello"
data="$work/data"
log="$work/rchost.log"
password="hello-secret-1"
for user in alice:user guest1:guest; do
  "$rchost" user add --data "$data" --username "${user%%:*}" --password "$password" \
    --roles "${user#*:}" >/dev/null || fail "rchost user add ${user%%:*}"
done

"$rchost" serve --address 127.0.0.1 --port 0 --data "$data" --plugins "$out/plugins" \
  --threads 2 >"$log" 2>&1 &
host_pid=$!
stop_host() { kill -TERM "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null || true; }
trap stop_host EXIT

# Port 0 lets the kernel choose a free port, which rchost logs once it listens.
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -n1)"
  [ -n "$port" ] && break
  kill -0 "$host_pid" 2>/dev/null || { cat "$log"; fail "rchost exited"; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$log"; fail "rchost did not start listening"; }
base="http://127.0.0.1:$port"

# Logs in through the host's own route; prints "<userId> <authToken>".
login() {
  local reply id token
  reply="$(curl -sS -X POST -H 'Content-Type: application/json' \
    -d "{\"user\":\"$1\",\"password\":\"$password\"}" "$base/api/v1/login")"
  id="$(printf '%s' "$reply" | sed -n 's/.*"userId":"\([^"]*\)".*/\1/p')"
  token="$(printf '%s' "$reply" | sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p')"
  [ -n "$id" ] && [ -n "$token" ] || fail "login as $1 answered: $reply"
  echo "$id $token"
}
# GET /api/v1/hello as "<userId> <authToken>"; curl -w appends the status on its own line.
get_hello() {
  curl -sS -w '\n%{http_code}' -H "X-User-Id: ${1% *}" -H "X-Auth-Token: ${1#* }" \
    "$base/api/v1/hello"
}

alice="$(login alice)"  # a failed login ends the script here (set -e)
hello="$(get_hello "$alice")"
expected='{"message":"hello alice","success":true}'
[ "$hello" = "$expected"$'\n'"200" ] || { cat "$log"; fail "GET /api/v1/hello answered: $hello"; }

# The permission the plugin registered took its manifest's default roles (not "guest").
guest="$(login guest1)"
denied="$(get_hello "$guest")"
[ "${denied##*$'\n'}" = "403" ] || fail "GET /api/v1/hello as a guest answered: $denied"

anonymous="$(curl -sS -o /dev/null -w '%{http_code}' "$base/api/v1/hello")"
[ "$anonymous" = "401" ] || fail "GET /api/v1/hello without login answered $anonymous"

# A clean shutdown runs the plugin's stop() and unloads it.
trap - EXIT
kill -TERM "$host_pid"
rc=0
wait "$host_pid" || rc=$?
[ "$rc" -eq 0 ] || { cat "$log"; fail "rchost exited with status $rc after SIGTERM"; }
grep -q "hello plugin stopped" "$log" || { cat "$log"; fail "the plugin was not stopped"; }

echo "PASS: out-of-tree plugin built against the installed SDK and served by rchost"
