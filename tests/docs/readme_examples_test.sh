#!/usr/bin/env bash
# Runs the README's walkthrough: every ```sh block between the markers
#   <!-- readme-test: begin -->  and  <!-- readme-test: end -->
# in order, as one bash script (set -euo pipefail) in a scratch directory, with this build's
# rchost first on PATH and port 3000 replaced by a free one. A command ending in `#=> TEXT`
# must print TEXT. Whatever the walkthrough leaves running is stopped, also on failure.
# Usage: readme_examples_test.sh README RCHOST_BINARY
set -euo pipefail
readme="${1:?usage: readme_examples_test.sh README RCHOST_BINARY}"
rchost="${2:?usage: readme_examples_test.sh README RCHOST_BINARY}"

work="$(mktemp -d "${TMPDIR:-/tmp}/rct-readme.XXXXXX")"
cleanup() {
  local status=$?
  # The walkthrough runs in a process group of its own (setsid): stop all of it.
  if [ -s "$work/pgid" ]; then kill -TERM -- "-$(cat "$work/pgid")" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ] && [ -f "$work/script.sh" ]; then
    echo "--- the script that ran (from $readme):" >&2
    cat -n "$work/script.sh" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$work/bin" "$work/run"
ln -s "$(readlink -f "$rchost")" "$work/bin/rchost"

# The prelude: PATH, the process group id for cleanup, and the check behind `#=>`.
cat >"$work/script.sh" <<PRELUDE
set -euo pipefail
echo \$\$ >"$work/pgid"
export PATH="$work/bin:\$PATH"
__expect() {
  if ! grep -qF -- "\$1" <<<"\$__out"; then
    printf 'README example "%s" printed:\n%s\nexpected it to contain: %s\n' "\$2" "\$__out" "\$1" >&2
    exit 1
  fi
}
PRELUDE

# The blocks between the markers, continuation lines joined, `#=>` turned into a check.
python3 - "$readme" "$port" >>"$work/script.sh" <<'PY'
import re, shlex, sys
text = open(sys.argv[1], encoding="utf-8").read()
port = sys.argv[2]
m = re.search(r"<!-- readme-test: begin -->(.*?)<!-- readme-test: end -->", text, re.S)
if not m:
    sys.exit("README has no readme-test markers")
blocks = re.findall(r"```sh\n(.*?)```", m.group(1), re.S)
if not blocks:
    sys.exit("no ```sh blocks between the markers")
checks = 0
for block in blocks:
    block = re.sub(r"\\\n\s*", " ", block).replace("3000", port)
    for line in block.splitlines():
        if "#=>" in line:
            command, expected = (part.strip() for part in line.split("#=>", 1))
            checks += 1
            print(f"__out=$({command} 2>&1)")
            print(f"__expect {shlex.quote(expected)} {shlex.quote(command)}")
        else:
            print(line)
if checks == 0:
    sys.exit("no #=> checks in the walkthrough")
PY

cd "$work/run"
timeout 180 setsid bash "$work/script.sh"
echo "README walkthrough: $(grep -c '^__expect ' "$work/script.sh") checks passed"
