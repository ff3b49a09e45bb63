// Proves the committed prebuilds (linux-x64, linux-arm64) are built from the
// current src-native/ (their compiled-in source hash matches), that they need
// nothing newer than glibc 2.28 and no libstdc++ (and that the check says so
// of a binary that does), and that the package loads from both CommonJS and
// ES modules with the same exports. And that they hold none of the test
// build's seams: no binding.testing, no handle over a fake kernel's fd.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { NativeBinding } from '../../lib/binding';
import { testBinding } from '../helpers/test-binding';

const root = path.join(__dirname, '..', '..');

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

test('the prebuilds hold no test entry points: no binding.testing, no fakeKernelFd path', () => {
  // Strings only the test build's seams compile in: the test build holds
  // each, so their absence from a prebuild means something.
  const seams = ['fakeKernelFd', 'netlinkSocket', 'socketpair', "the fake kernel's only socket is busy"];
  const testBuild = fs.readFileSync(path.join(root, 'build', 'Release', 'nlwrap_test.so'));
  for (const s of seams) assert.ok(testBuild.includes(s), `the test build holds ${s}`);
  for (const arch of ['x64', 'arm64']) {
    const bytes = fs.readFileSync(path.join(root, 'prebuilds', `linux-${arch}`, 'nlwrap.glibc.node'));
    for (const s of seams) assert.ok(!bytes.includes(s), `the linux-${arch} prebuild holds ${s}`);
  }

  // This machine's prebuild, loaded: no testing export, and a fakeKernelFd
  // is refused by name (it would otherwise be ignored and a real socket opened).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a .node file is loaded with require
  const shipped = require(path.join(root, 'prebuilds', `linux-${process.arch}`, 'nlwrap.glibc.node')) as NativeBinding;
  assert.equal((shipped as { testing?: unknown }).testing, undefined);
  assert.ok(!Object.keys(shipped).includes('testing'));
  const [core, peer] = testBinding.testing.socketpair();
  try {
    for (const options of [
      { fakeKernelFd: core, protocol: 0, port: 1 },
      { fakeKernelFd: core, protocols: [0] },
    ])
      assert.throws(
        () => new shipped.NativeHandle(options as never),
        (e: unknown) => e instanceof TypeError && /unknown NativeHandle option 'fakeKernelFd'/.test(e.message),
      );
    // The test build takes the same options (and the fd with them).
    new testBinding.NativeHandle({ fakeKernelFd: core, protocol: 0, port: 1 }).close();
  } finally {
    testBinding.testing.close(peer);
  }
});
