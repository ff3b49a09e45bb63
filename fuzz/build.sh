#!/usr/bin/env bash
# Builds the libFuzzer harness (fuzz/fuzz_parsers.cc) with clang-14 and
# ASan + UBSan, from every src-native/*.cc except the N-API files, and makes a
# seed corpus from test/fixtures (one copy of each capture per target byte).
set -euo pipefail
cd "$(dirname "$0")/.."
CXX=${CXX:-clang++-14}
out=build-fuzz
mkdir -p "$out"
srcs=()
for f in src-native/*.cc; do
  case "$(basename "$f")" in addon.cc) continue ;; esac
  srcs+=("$f")
done
"$CXX" -std=c++17 -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Isrc-native "${srcs[@]}" fuzz/fuzz_parsers.cc -o "$out/fuzz_parsers" -lpthread
# Seeds: each capture behind every parser's target byte, and for the socket
# core's target (the last one) re-framed as [u16 length][message] datagrams
# with seq 0 / pid 1 ("ours", see the harness).
python3 - "$out/seeds" test/fixtures/*/*.bin <<'PY'
import os, struct, sys, ctypes
out, files = sys.argv[1], sys.argv[2:]
os.makedirs(out, exist_ok=True)
for f in os.listdir(out):
    os.unlink(os.path.join(out, f))
# The target count is only known to the binary; 16 covers many parsers, and
# extra target bytes wrap around (modulo) onto real targets.
for i, path in enumerate(files):
    data = open(path, 'rb').read()
    for t in range(16):
        open(os.path.join(out, f'seed-{i}-{t}'), 'wb').write(bytes([t]) + data)
    framed = b''
    off = 0
    while off + 16 <= len(data):
        (n,) = struct.unpack_from('<I', data, off)
        if n < 16 or off + n > len(data):
            break
        m = bytearray(data[off:off + n])
        struct.pack_into('<II', m, 8, 0, 1)
        framed += struct.pack('<H', len(m)) + m
        off += (n + 3) & ~3
    for t in range(16):
        open(os.path.join(out, f'sock-{i}-{t}'), 'wb').write(bytes([t]) + framed)
print(f'{len(os.listdir(out))} seeds in {out}')
PY
echo "built $out/fuzz_parsers"
