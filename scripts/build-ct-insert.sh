#!/bin/sh
# Builds bench/ct-insert (the conntrack fixture builder used by the tests and
# the benchmark) into build/ct-insert. Needs only a C compiler.
set -e
cd "$(dirname "$0")/.."
mkdir -p build
cc -O2 -Wall -Wextra -Wno-sign-compare -o build/ct-insert bench/ct-insert.c
