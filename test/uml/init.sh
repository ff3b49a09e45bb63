#!/bin/bash
# PID 1 of the user-mode-Linux guest (see run-guest.sh). Mounts the basics,
# loads the modules listed in modules.txt (with their dependencies, from
# modules.dep), runs the guest tests with node:test, writes the exit status
# to /proc/exitcode (linux.uml's exit status) and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmpfs /run
# The repository may live under the host's /tmp, which the guest's own /tmp
# hides: mount it (read-only) at a fixed place first.
mkdir -p /run/nlw-repo
mount -r -t hostfs -o "$NLW_REPO" hostfs /run/nlw-repo || { echo "uml: cannot mount $NLW_REPO"; echo 1 > /proc/exitcode; echo o > /proc/sysrq-trigger; sleep 10; }
NLW_REPO=/run/nlw-repo
mount -t tmpfs tmpfs /tmp
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /run/netns
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# A missing module must fail fast, not hang looking for modprobe.
echo /nonexistent > /proc/sys/kernel/modprobe

status=1
finish() {
  echo "$status" > "$NLW_OUT/status"
  echo "$status" > /proc/exitcode
  sync
  echo o > /proc/sysrq-trigger
  sleep 10
}
trap finish EXIT

mkdir -p /run/nlw-out
mount -t hostfs -o "$NLW_OUT" hostfs /run/nlw-out || { echo "uml: cannot mount $NLW_OUT"; exit 1; }
NLW_OUT=/run/nlw-out
# Programs built on the host for guest tests (run-guest.sh, build.sh).
export NLW_GUEST_BIN=$NLW_OUT/build

moddir=/lib/modules/$(uname -r)
[ -d "$moddir" ] || moddir=/usr/lib/uml/modules/$(uname -r)
declare -A loaded
load() {
  local name=$1 path deps dep
  [ -n "${loaded[$name]:-}" ] && return 0
  loaded[$name]=1
  path=$(grep -E "(^|/)${name}\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -1)
  [ -n "$path" ] || { echo "uml: no module $name"; return 1; }
  deps=${path#*:}
  path=${path%%:*}
  for dep in $deps; do
    dep=${dep##*/}
    load "${dep%%.ko*}"
  done
  insmod "$moddir/$path" 2>/dev/null || grep -q "^${name//-/_} " /proc/modules || echo "uml: insmod $name failed"
}
while read -r m _; do
  [ -z "$m" ] || [ "${m:0:1}" = "#" ] || load "$m"
done < "$NLW_REPO/test/uml/modules.txt"

cd "$NLW_REPO"
NLW_TESTS=${NLW_TESTS//:/ }  # colon-separated on the kernel command line
echo "uml: kernel $(uname -r), running: $NLW_TESTS"
# shellcheck disable=SC2086
node --import tsx --test --test-concurrency=1 --test-reporter=tap $NLW_TESTS 2>&1 | tee "$NLW_OUT/guest.tap"
status=${PIPESTATUS[0]}
