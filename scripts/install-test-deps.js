#!/usr/bin/env node
// pretest: the programs the tests run, and the Debian packages that bring
// them. As root with apt-get, missing ones are installed (apt-get update
// first, only then, non-interactive); otherwise this says what to install.
// Without root nothing is installed and the kernel tests skip: only a note.
//   NLWRAP_NO_INSTALL=1 npm test    # report only, never run apt-get
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const NEEDED = [
  { cmd: 'ip', pkg: 'iproute2', kernel: true, why: 'namespaces, and the oracle for links, addresses, routes, XFRM' },
  { cmd: 'sysctl', pkg: 'procps', kernel: true, why: 'quiet IPv6 in test namespaces' },
  { cmd: 'conntrack', pkg: 'conntrack', kernel: true, why: 'the oracle for conntrack' },
  { cmd: 'nft', pkg: 'nftables', kernel: true, why: 'conntrack helpers and expectations' },
  { cmd: 'modprobe', pkg: 'kmod', kernel: true, why: 'kernel modules on demand, and insmod in the second kernel' },
  { cmd: 'linux.uml', pkg: 'user-mode-linux', kernel: true, why: 'the second kernel (Linux 6.1)' },
  { cmd: 'python3', pkg: 'python3', kernel: false, why: 'node-gyp (the test build of the addon), the errno-name oracle' },
  { cmd: 'make', pkg: 'make', kernel: false, why: 'node-gyp (the test build of the addon)' },
  { cmd: 'cc', pkg: 'gcc', kernel: true, why: 'builds bench/ct-insert, the conntrack fixture builder' },
  { cmd: 'g++', pkg: 'g++', kernel: false, why: 'the test build of the addon, the inet_ntop cross-check' },
  { cmd: 'strace', pkg: 'strace', kernel: true, why: 'counts close() calls in the fd-ownership test' },
];

// sbin directories are not on every user's PATH, but root runs them there.
const DIRS = [...(process.env.PATH || '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
function found(cmd) {
  return DIRS.some((d) => {
    try {
      fs.accessSync(path.join(d, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const missing = () => NEEDED.filter((n) => !found(n.cmd));
const list = (ns) => ns.map((n) => `  ${n.cmd.padEnd(10)} (Debian package ${n.pkg}): ${n.why}`).join('\n');
const pkgs = (ns) => [...new Set(ns.map((n) => n.pkg))];

let lack = missing();
if (lack.length === 0) process.exit(0);

const root = process.getuid && process.getuid() === 0;
const apt = found('apt-get');
if (!root) {
  const now = lack.filter((n) => !n.kernel).map((n) => n.cmd);
  console.error(
    `npm test: not root: nothing is installed, and the kernel tests skip. Missing:\n${list(lack)}\n` +
      (now.length ? `Tests that need ${now.join(' and ')} fail or skip without it. ` : '') +
      `For every test: sudo apt-get install ${pkgs(lack).join(' ')}, then npm test as root.`,
  );
  process.exit(0);
}
if (!apt || process.env.NLWRAP_NO_INSTALL === '1') {
  console.error(
    `npm test: the tests need programs that are missing:\n${list(lack)}\n` +
      (apt
        ? `Install them: apt-get install ${pkgs(lack).join(' ')}`
        : "Install them with your system's package manager (Debian names above)."),
  );
  process.exit(1);
}

const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env }).status;
console.error(`npm test: installing ${pkgs(lack).join(' ')} with apt-get, for:\n${list(lack)}`);
if (run(['update', '-q']) !== 0)
  console.error('npm test: apt-get update failed; trying the install with the lists this machine has');
const status = run(['install', '-y', '-q', '-o', 'Dpkg::Use-Pty=0', '--no-install-recommends', ...pkgs(lack)]);
lack = missing();
if (status !== 0 || lack.length) {
  console.error(`npm test: apt-get install failed (status ${status}); still missing:\n${list(lack)}`);
  process.exit(1);
}
console.error('npm test: installed');
