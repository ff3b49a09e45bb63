#!/usr/bin/env bash
# npm run test:asan: the addon and its test build built with
# AddressSanitizer + UndefinedBehaviorSanitizer (binding.gyp's
# NLWRAP_SANITIZE=address condition), then every host-side test run against
# those builds, then a LeakSanitizer run over a workload of dumps, parses and
# socket faults that fails on any leak whose stack passes through the addon.
#
# Compiler: gcc (node-gyp's default, the one the prebuild is made with), so
# the sanitized build is the shipped code; its runtime (libasan.so.8) is
# LD_PRELOADed into node, which is not itself instrumented. UBSan aborts on
# the first report (-fno-sanitize-recover=undefined).
#
# The build happens in a copy of the package under build-asan/pkg (sources,
# lib/, test/; node_modules linked), where there is no prebuilds/ and the
# only addon node-gyp-build can find is the sanitized build/Release (the
# fake kernel's tests load the sanitized build/Release/nlwrap_test.so). The
# tests run are test/unit, test/fake, test/kernel and test/leak. Left out:
# test/uml (the user-mode-Linux guest: ASan's shadow memory does not fit
# its address space), and test/package, which checks the committed
# prebuilds and the package around them (ESM entry, install), not this build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
pkg=$root/build-asan/pkg
start=$(date +%s)

rm -rf "$pkg"
mkdir -p "$pkg"
cp -r binding.gyp package.json tsconfig.json README.md src-native lib test scripts bin bench "$pkg"/
rm -rf "$pkg/bench/bin"
ln -s "$root/node_modules" "$pkg/node_modules"

echo "== building the addon and its test build with ASan + UBSan (gcc)"
(cd "$pkg" && NLWRAP_SANITIZE=address npm run --silent build:native >build-asan.log 2>&1 &&
  NLWRAP_SANITIZE=address npm run --silent build:test-addon >>build-asan.log 2>&1) || {
  tail -30 "$pkg/build-asan.log"
  exit 1
}
(cd "$pkg" && npx tsc -p tsconfig.json)  # dist/ for the CLI tests (no ESM entry: it loads the addon)

asan_rt=$(gcc -print-file-name=libasan.so)
asan_rt=$(readlink -f "$asan_rt")
export LD_PRELOAD=$asan_rt
# Node itself is not instrumented and leaks on purpose at exit: no leak
# detection in the test run (the LSan run below filters by our frames).
# The preload reaches the tools the tests run as oracles too (ip, conntrack);
# replace_str=0 keeps ASan's libc string checks out of them (iproute2 6.1's
# print_route trips strncpy-param-overlap), the addon does not use those.
tool_opts=allocator_may_return_null=1:replace_str=0:intercept_strlen=0:intercept_strchr=0:intercept_strndup=0
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=0:$tool_opts
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export NLWRAP_SANITIZED=1

cd "$pkg"
node -e '
  const p = require("node-gyp-build").path(process.cwd());
  if (!p.startsWith(process.cwd() + "/build/Release/")) { console.error("would load", p); process.exit(1); }
  const b = require(p);
  const maps = require("fs").readFileSync("/proc/self/maps", "utf8");
  if (!/libasan/.test(maps)) { console.error("ASan runtime not loaded"); process.exit(1); }
  const t = { exports: {} };
  process.dlopen(t, "build/Release/nlwrap_test.so");
  if (typeof t.exports.testing !== "object") { console.error("no test build"); process.exit(1); }
  console.log("== loads the sanitized builds:", p, "(" + b.parsers.join(",") + ") and build/Release/nlwrap_test.so");'

files=(test/unit/*.test.ts test/fake/*.test.ts test/kernel/*.test.ts test/leak/*.test.ts)
echo "== running ${#files[@]} test files under ASan + UBSan"
FUZZ_SECONDS=${FUZZ_SECONDS:-20} node --import tsx --test --test-concurrency=1 "${files[@]}"

echo "== LeakSanitizer over the leak workload (leaks through the addon fail)"
rm -rf "$pkg/lsan" && mkdir -p "$pkg/lsan"
# The workload builds its namespace with `ip -batch`, which gets the preload
# too and leaks at exit itself: exitcode=0 keeps LeakSanitizer's verdict on
# any process from changing its exit status (every report is still read
# below, and only frames in the addon count: nlwrap.node, and nlwrap_test.so
# for the fake kernel's faults), and the string-interceptor
# options are the test run's, for the same reason as there. Without them ip
# failed and the workload stopped before its first call.
lsan_opts=detect_leaks=1:log_path=$pkg/lsan/report:leak_check_at_exit=1:fast_unwind_on_malloc=0:exitcode=0:$tool_opts
out=$(ASAN_OPTIONS=$lsan_opts LSAN_OPTIONS=report_objects=0:use_unaligned=1 \
  node --expose-gc --import tsx test/helpers/leak-workload.ts --iterations 300 --faults) || {
  echo "the leak workload failed"
  exit 1
}
# With exitcode=0 a failed workload could still exit 0: its result line is
# the proof that it made its calls.
result=$(printf '%s\n' "$out" | grep '^{"calls"') || {
  echo "the leak workload printed no result:"
  printf '%s\n' "$out" | tail -20
  exit 1
}
echo "   workload: $(node -p 'Object.entries(JSON.parse(process.argv[1]).calls).map(([k, n]) => `${k} ${n}`).join(", ")' "$result")"
ours=0
for r in "$pkg"/lsan/report.*; do
  [ -e "$r" ] || continue
  # One leak record per blank-line-separated block; ours if a frame is in the addon.
  n=$(awk 'BEGIN{RS=""} /(Direct|Indirect) leak/ && /nlwrap(\.node|_test\.so)/ {c++} END{print c+0}' "$r")
  total=$(grep -cE '^(Direct|Indirect) leak' "$r" || true)
  echo "   $(basename "$r"): $total leak records in all, $n through the addon"
  if [ "$n" -gt 0 ]; then
    awk 'BEGIN{RS=""; ORS="\n\n"} /(Direct|Indirect) leak/ && /nlwrap(\.node|_test\.so)/' "$r" | head -80
    ours=$((ours + n))
  fi
done
if [ "$ours" -gt 0 ]; then
  echo "LeakSanitizer: $ours leak(s) from the addon"
  exit 1
fi
echo "== test:asan passed in $(($(date +%s) - start)) s"
