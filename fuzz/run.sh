#!/usr/bin/env bash
# Runs the libFuzzer harness for N seconds (default 60) on 1 job; the
# growing corpus stays in build-fuzz/corpus, crashes in build-fuzz/crashes.
# Usage: fuzz/run.sh [seconds] [extra libFuzzer flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
[ -x build-fuzz/fuzz_parsers ] || bash fuzz/build.sh
mkdir -p build-fuzz/corpus build-fuzz/crashes
exec build-fuzz/fuzz_parsers build-fuzz/corpus build-fuzz/seeds \
  -max_total_time="$secs" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1 "$@"
