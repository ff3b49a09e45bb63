// Proves the committed prebuilds (linux-x64, linux-arm64) are built from the
// current src-native/ (their compiled-in source hash matches), that they need
// nothing newer than glibc 2.28 and no libstdc++ (and that the check says so
// of a binary that does), and that the package loads from both CommonJS and
// ES modules with the same exports.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const root = path.join(__dirname, '..');

test('the prebuilds match src-native/', () => {
  const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'check-prebuild.js')], { encoding: 'utf8' });
  assert.match(out, /linux-x64\/nlwrap\.glibc\.node matches src-native/);
  assert.match(out, /linux-arm64\/nlwrap\.glibc\.node matches src-native/);
});

test('the prebuilds need nothing newer than glibc 2.28 and no libstdc++', () => {
  const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'check-glibc-baseline.js')], { encoding: 'utf8' });
  assert.match(out, /linux-x64\/nlwrap\.glibc\.node: x64, .*within glibc 2\.28/);
  assert.match(out, /linux-arm64\/nlwrap\.glibc\.node: arm64, .*within glibc 2\.28/);
});

test(
  'the baseline check fails a binary linked the ordinary way',
  { skip: spawnSync('g++', ['--version']).status !== 0 && 'needs g++' },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlwrap-baseline-'));
    try {
      const so = path.join(dir, 'plain.so');
      const src =
        '#include <pthread.h>\n#include <thread>\nvoid f() { std::thread([] {}).join(); pthread_t t; pthread_create(&t, nullptr, nullptr, nullptr); }\n';
      execFileSync('g++', ['-shared', '-fPIC', '-x', 'c++', '-', '-o', so], { input: src });
      const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-glibc-baseline.js'), so], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /needs libstdc\+\+\.so\.6/);
      assert.match(r.stderr, /is not stripped/);
      // glibc 2.34 moved pthread_create into libc under a new version.
      const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
      if (glibc && Number(glibc.split('.')[1]) >= 34)
        assert.match(r.stderr, /needs GLIBC_2\.34 from libc\.so\.6, newer than GLIBC_2\.28/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('require() and import give the same named exports', () => {
  const script = `
    const cjs = require(${JSON.stringify(root)});
    import(${JSON.stringify(path.join(root, 'dist', 'index.mjs'))}).then((esm) => {
      const a = Object.keys(cjs).sort().join(','), b = Object.keys(esm).sort().join(',');
      if (a !== b) { console.error(a, '!=', b); process.exit(1); }
      if (typeof esm.Handle !== 'function' || typeof esm.linkList !== 'function') process.exit(1);
      console.log('ok', Object.keys(cjs).length);
    });`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.match(out, /^ok \d+/);
});
