#!/usr/bin/env bash
# Builds the fuzz preset (clang, libFuzzer, ASan+UBSan) and runs each fuzz target briefly;
# fails on any crash, sanitizer report, invariant violation, timeout or out-of-memory.
#
#   scripts/fuzz-smoke.sh                   every target, FUZZ_SECONDS (default 5) each
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh http manifest
#
# Each target first replays fuzz/regressions/<target>/ (inputs that once failed), then fuzzes
# from fuzz/corpus/<target>/. Failing inputs land in build/fuzz/artifacts/; reproduce one with
# build/fuzz/fuzz/fuzz_<target> FILE (RCT_FUZZ_VERBOSE=1 prints each answer).
# FUZZ_BUILD_DIR=build/other builds and runs the fuzz preset in another directory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/deps.sh
rct_install_deps test

seconds="${FUZZ_SECONDS:-5}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(create_token http manifest)

build_dir="${FUZZ_BUILD_DIR:-build/fuzz}"
cmake --preset fuzz -B "$build_dir" >/dev/null
cmake --build "$build_dir" --target rct_fuzzers -j "$(nproc)"

artifacts="$root/$build_dir/artifacts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
failed=0
for target in "${targets[@]}"; do
  binary="$build_dir/fuzz/fuzz_$target"
  [ -x "$binary" ] || { echo "no fuzz target $target" >&2; exit 2; }
  mkdir -p "$work/$target"  # new inputs go here; the committed seeds stay untouched
  log="$work/$target.log"
  regressions=(fuzz/regressions/"$target"/*)
  if [ -e "${regressions[0]}" ] && ! "$binary" "${regressions[@]}" >"$log" 2>&1; then
    echo "fuzz_$target: FAILED on a regression input (fuzz/regressions/$target/)" >&2
    grep -E 'Running:|ERROR|invariant violated|SUMMARY' "$log" >&2 || tail -n 40 "$log" >&2
    failed=1
    continue
  fi
  started=$SECONDS
  # -max_total_time ends the run; timeout(1) also bounds start-up and a hung input.
  if timeout --kill-after=10 $((seconds + 120)) "$binary" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
      -dict="fuzz/dict/$target.dict" -artifact_prefix="$artifacts/$target-" \
      "$work/$target" "fuzz/corpus/$target" >"$log" 2>&1; then
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)"
    echo "fuzz_$target: ok, ${runs:-?} runs in $((SECONDS - started)) s, ${cov:-cov: ?}"
  else
    echo "fuzz_$target: FAILED (exit $?); artifacts in $artifacts" >&2
    grep -E 'ERROR|invariant violated|SUMMARY|Test unit written' "$log" >&2 || tail -n 40 "$log" >&2
    failed=1
  fi
done
exit "$failed"
