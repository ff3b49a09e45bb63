#!/bin/bash
# Boots a real Linux 6.1 kernel under user-mode Linux (Debian's
# user-mode-linux package) once, runs the given node:test files inside it as
# root, and exits with their status. The guest's root file system is this
# machine's / over hostfs, read-only, so the repository, node and iproute2 are
# the host's. TAP output goes to stdout (and $NLW_OUT/guest.tap).
#   test/uml/run-guest.sh test/guest/*.test.ts
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || { echo "usage: $0 test-file..." >&2; exit 2; }
command -v linux.uml >/dev/null || { echo "linux.uml not found (apt-get install user-mode-linux)" >&2; exit 3; }
command -v gcc >/dev/null || { echo "gcc not found (apt-get install build-essential)" >&2; exit 3; }

out=$(mktemp -d /tmp/nlwrap-uml-out.XXXXXX)
umldir=$(mktemp -d /dev/shm/nlwrap-uml.XXXXXX)
trap 'rm -rf "$umldir"' EXIT
# Test files relative to the repository, which the guest mounts elsewhere.
files=()
for f in "$@"; do
  case "$f" in "$repo"/*) files+=("${f#"$repo"/}") ;; /*) echo "$f is outside $repo" >&2; exit 2 ;; *) files+=("$f") ;; esac
done

# The xstate shim and the guest tests' programs, built fresh for this run.
"$repo/test/uml/build.sh" "$out/build"

# UML moves guest threads' vector state with a fixed 2696-byte buffer, which
# hosts with a larger XSAVE area (AMX) refuse: xstate-shim.c translates. It
# runs on every host, keeping 832 bytes (x87, SSE, AVX) in UML's buffers and
# the rest per guest thread in its own, so the same path is tested everywhere.
# The kernel command line splits on spaces: the test files go as one
# colon-separated argument (init.sh splits it again).
set +e
timeout -k 5 "${NLW_UML_TIMEOUT:-240}" env LD_PRELOAD="$out/build/xstate-shim.so" \
  NLW_XSTATE_KEEP_BYTES=832 NLW_XSTATE_STATS="$out/xstate-shim.txt" linux.uml mem=1536M rootfstype=hostfs rootflags=/ ro quiet loglevel=3 \
  init="$repo/test/uml/init.sh" con0=null,fd:1 con=null ssl=null \
  uml_dir="$umldir" umid="nlwrap$$" \
  NLW_REPO="$repo" NLW_OUT="$out" NLW_TESTS="$(IFS=:; echo "${files[*]}")" </dev/null
rc=$?
set -e
status=$(cat "$out/status" 2>/dev/null || echo "")
echo "uml: xstate shim: $(cat "$out/xstate-shim.txt" 2>/dev/null || echo "no report")" >&2
echo "uml: linux.uml exited $rc, guest test status ${status:-none}, output in $out" >&2
[ "$status" = "0" ] && exit 0
exit 1
