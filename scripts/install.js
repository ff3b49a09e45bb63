#!/usr/bin/env node
// npm's install step. Where a prebuild in prebuilds/ loads (linux-x64 and
// linux-arm64 on glibc >= 2.28), nothing else happens. Elsewhere (musl,
// older glibc, other CPUs) the addon is built from source with node-gyp,
// after checking for what that needs, so a machine without a compiler gets
// one message saying what to install instead of a node-gyp stack trace.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function onPath(names) {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  return names.some((n) =>
    dirs.some((d) => {
      try {
        fs.accessSync(path.join(d, n), fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}

/** What building from source needs and this machine lacks. */
function missingTools() {
  const missing = [];
  const python = process.env.npm_config_python || process.env.PYTHON;
  if (!(python && fs.existsSync(python)) && !onPath(['python3', 'python'])) missing.push('python3');
  if (!onPath(['make'])) missing.push('make');
  const cxx = process.env.CXX;
  if (!(cxx && onPath([cxx.split(' ')[0]])) && !onPath(['g++', 'c++', 'clang++'])) missing.push('a C++17 compiler (g++)');
  if (!fs.existsSync('/usr/include/linux/rtnetlink.h')) missing.push('the Linux kernel headers (linux/rtnetlink.h)');
  return missing;
}

/** The message for a machine that has no prebuild and cannot build one. */
function message({ platform, libc, why, missing }) {
  const head = why
    ? `nlwrap: no prebuilt binary loads on ${platform} (${libc}): they ship for linux-x64 and linux-arm64 with glibc 2.28 or newer (${why}).`
    : `nlwrap: building from source as asked (--build-from-source) on ${platform} (${libc}).`;
  return [
    head,
    `Building it from source needs python3, make, a C++17 compiler and the Linux kernel headers. Missing here: ${missing.join(', ')}.`,
    '  Alpine (musl):   apk add python3 make g++ linux-headers',
    '  Debian, Ubuntu:  apt-get install python3 make g++',
    '  Fedora, RHEL:    dnf install python3 make gcc-c++ kernel-headers',
    'Then run the install again.',
  ].join('\n');
}

function libcName() {
  if (process.platform !== 'linux') return process.platform;
  const glibc = process.report.getReport().header.glibcVersionRuntime;
  return glibc ? `glibc ${glibc}` : 'musl';
}

function main() {
  let why = '';
  if (process.env.npm_config_build_from_source !== 'true') {
    try {
      require('node-gyp-build')(root);
      return 0; // a prebuild (or an earlier build) loads
    } catch (err) {
      why = String(err.message).split('\n')[0];
    }
  }
  const missing = missingTools();
  if (missing.length) {
    console.error(message({ platform: `${process.platform}-${process.arch}`, libc: libcName(), why, missing }));
    return 1;
  }
  // npm runs install scripts with its bundled node-gyp reachable.
  const gyp = process.env.npm_config_node_gyp;
  const r = gyp
    ? spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: root, stdio: 'inherit' })
    : spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit' });
  if (r.error) {
    console.error(`nlwrap: cannot start node-gyp (${r.error.message}); install it with npm install -g node-gyp`);
    return 1;
  }
  return r.status ?? 1;
}

if (require.main === module) process.exitCode = main();
module.exports = { message, missingTools };
