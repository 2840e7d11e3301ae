#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UBSan (asan preset), then the tests labelled
# `concurrency` under ThreadSanitizer (tsan preset). `asan` or `tsan` as argument runs one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/deps.sh
rct_install_deps test

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(asan tsan)

for preset in "${presets[@]}"; do
  case "$preset" in asan | tsan) ;; *) echo "unknown preset $preset (asan or tsan)" >&2; exit 2 ;; esac
  started=$SECONDS
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)"
  built=$SECONDS
  # The test presets carry the sanitizer options; tsan selects -L concurrency itself.
  echo "== $preset: ctest"
  ctest --preset "$preset" -j "$(nproc)"
  echo "== $preset: built in $((built - started)) s, tested in $((SECONDS - built)) s"
done
