// Proves npm's install step (scripts/install.js): where a prebuild loads, it
// needs no compiler and runs nothing; where none does (musl, other CPUs,
// glibc < 2.28) and the tools to build one are missing, it fails with one
// message naming what to install, never a node-gyp stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

const root = path.join(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nlwrap-install-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A PATH with node alone: no python3, make or compiler.
const bin = path.join(tmp, 'bin');
fs.mkdirSync(bin);
fs.symlinkSync(process.execPath, path.join(bin, 'node'));

function install(dir: string, env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'install.js')], {
    cwd: dir,
    encoding: 'utf8',
    env: { HOME: tmp, PATH: bin, ...env },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('with a prebuild for this machine, the install needs no compiler and prints nothing', () => {
  const r = install(root, { PREBUILDS_ONLY: '1' });
  assert.deepEqual(r, { status: 0, out: '' });
});

test('with no prebuild that loads and no compiler, the install says what to install', () => {
  const pkg = path.join(tmp, 'pkg');
  for (const f of ['package.json', 'binding.gyp', 'scripts/install.js', 'scripts/source-hash.js', 'src-native'])
    fs.cpSync(path.join(root, f), path.join(pkg, f), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'));
  const r = install(pkg);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, new RegExp(`^nlwrap: no prebuilt binary loads on linux-${process.arch} \\((glibc [0-9.]+|musl)\\)`));
  assert.match(r.out, /No native build was found/);
  assert.match(r.out, /Missing here: python3, make, a C\+\+17 compiler \(g\+\+\)/);
  assert.match(r.out, /apk add python3 make g\+\+ linux-headers/);
  assert.match(r.out, /apt-get install python3 make g\+\+/);
  assert.doesNotMatch(r.out, /gyp ERR|\n\s+at /, 'no node-gyp output, no stack trace');
});

test('on musl the message names musl', async () => {
  const { message } = (await import(path.join(root, 'scripts', 'install.js'))) as {
    message: (o: { platform: string; libc: string; why: string; missing: string[] }) => string;
  };
  const text = message({
    platform: 'linux-arm64',
    libc: 'musl',
    why: 'No native build was found for platform=linux arch=arm64 runtime=node abi=115 uv=1 libc=musl node=20.20.2',
    missing: ['make', 'a C++17 compiler (g++)'],
  });
  assert.match(text, /^nlwrap: no prebuilt binary loads on linux-arm64 \(musl\)/);
  assert.match(text, /Missing here: make, a C\+\+17 compiler \(g\+\+\)\./);
  assert.match(text, /Alpine \(musl\): {3}apk add python3 make g\+\+ linux-headers/);
});
