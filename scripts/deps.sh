#!/usr/bin/env bash
# The one list of Debian 12 packages this project needs, installed when any is missing.
# `rct_install_deps` installs what building and running need; `rct_install_deps test` adds
# what the tests, the fuzzers and the benchmarks need. Safe to run again.
set -euo pipefail

RCT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libboost-dev libboost-filesystem-dev libboost-system-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev doctest-dev
  libsodium-dev libsqlite3-dev sqlite3 libpqxx-dev libpq-dev
)
RCT_TEST_PACKAGES=(
  postgresql nginx-light wrk binutils dpkg-dev file python3 jq
  clang libclang-rt-14-dev libbenchmark-dev
)

rct_install_deps() {
  local wanted=("${RCT_PACKAGES[@]}") missing=()
  [ "${1:-}" = test ] && wanted+=("${RCT_TEST_PACKAGES[@]}")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then rct_install_deps "$@"; fi
