#!/bin/sh
# Builds what the guest runner needs from the C sources next to this script
# into DIR (a fresh directory per run; nothing built is committed): the xstate
# shim that linux.uml runs with, the programs that guest tests run (the
# guest's root file system is read-only, so they are built on the host), and
# the host check of the shim (test/uml/xstate-shim.test.ts).
#   test/uml/build.sh DIR
set -e
src=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh DIR}
mkdir -p "$out"
gcc -O2 -Wall -Wextra -shared -fPIC -o "$out/xstate-shim.so" "$src/xstate-shim.c" -ldl
gcc -O2 -Wall -Wextra -pthread -o "$out/vector-regs" "$src/vector-regs.c"
gcc -O2 -Wall -Wextra -o "$out/xstate-shim-check" "$src/xstate-shim-check.c"
