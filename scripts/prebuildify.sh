#!/usr/bin/env bash
# npm run prebuildify: the binaries that ship in prebuilds/, for linux-arm64
# (cross-compiled with Debian's g++-aarch64-linux-gnu) and linux-x64, each
# built with NLWRAP_PORTABLE=1 (binding.gyp: static libstdc++, glibc 2.28
# baseline), stripped, then checked by scripts/check-glibc-baseline.js.
# Run through npm, so node-gyp finds Node's headers (nodedir) offline.
#   npm run prebuildify            # both
#   npm run prebuildify -- arm64   # one
set -euo pipefail
cd "$(dirname "$0")/.."
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(arm64 x64) # x64 last: build/ then holds a binary this host loads

host=$(node -p process.arch)
for arch in "${archs[@]}"; do
  case "$arch" in
    x64) triplet=x86_64-linux-gnu pkg=g++-x86-64-linux-gnu ;;
    arm64) triplet=aarch64-linux-gnu pkg=g++-aarch64-linux-gnu ;;
    *) echo "prebuildify: no prebuild is made for $arch (x64, arm64)" >&2; exit 2 ;;
  esac
  if [ "$arch" = "$host" ]; then
    cc=gcc cxx=g++ strip=strip
  else
    cc=$triplet-gcc cxx=$triplet-g++ strip=$triplet-strip
  fi
  command -v "$cxx" >/dev/null || { echo "prebuildify: $cxx not found (apt-get install $pkg)" >&2; exit 1; }
  echo "prebuildify: linux-$arch with $cxx" >&2
  NLWRAP_PORTABLE=1 CC=$cc CXX=$cxx PREBUILD_STRIP_BIN=$strip \
    prebuildify --napi --strip --tag-libc --arch "$arch"
done
node scripts/check-glibc-baseline.js
