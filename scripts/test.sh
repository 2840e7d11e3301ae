#!/usr/bin/env bash
# The README's test command: install what is missing, then run every test — the fuzz targets
# briefly, the concurrency tests under ThreadSanitizer, and the whole ctest suite under
# AddressSanitizer + UndefinedBehaviorSanitizer (last, so its summary closes the output).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Paths relative to the checkout in ccache keys, so that another clone reuses the cache.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
source scripts/deps.sh
rct_install_deps test
jobs="$(nproc)"
step() { echo; echo "== $* ($(date +%T))"; }

step "fuzz targets, a few seconds each"
scripts/fuzz-smoke.sh

step "concurrency tests under ThreadSanitizer"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target storage_contract_test services_test \
  unit_mock_host e2e_session_cap_test rchost users_create_token rct_fixtures
ctest --preset tsan -j "$jobs"

step "every test under AddressSanitizer + UBSan"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"
