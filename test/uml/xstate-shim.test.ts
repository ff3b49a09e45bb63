// Proves, on this host and without booting a guest, the xstate shim that the
// guest runner preloads into linux.uml (test/uml/xstate-shim.c): a tracer
// doing what UML does (test/uml/xstate-shim-check.c: two "threads" sharing one
// traced process, each with its own 2696-byte buffer) gets every vector
// register of each thread back, byte for byte, through the shim's translation
// with any prefix size, while other ptrace requests pass through; and a build
// of the shim that shares the state beyond the prefix per process is caught.
// Also pins down the host kernel's rule that makes the shim necessary.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

const root = path.join(__dirname, '..', '..');
const ROUNDS = 2000;
const UML_FP_BYTES = 2696;
const EFAULT = 14;
let dir = '';
let host = 0; // the host's XSAVE size for ptrace
let plain: Run; // the check without the shim

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlwrap-xstate-'));
  execFileSync(path.join(root, 'test', 'uml', 'build.sh'), [dir], { stdio: 'inherit' });
  execFileSync('gcc', [
    '-O2',
    '-shared',
    '-fPIC',
    '-DXSTATE_SHIM_KEY_PER_PROCESS',
    '-o',
    path.join(dir, 'xstate-shim-per-process.so'),
    path.join(root, 'test', 'uml', 'xstate-shim.c'),
    '-ldl',
  ]);
  plain = check(null);
  const m = /host_xsave_bytes=(\d+)/.exec(plain.out);
  assert.ok(m, `xstate-shim-check printed no size:\n${plain.out}${plain.err}`);
  host = Number(m[1]);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  out: string;
  err: string;
  stats: Record<string, number>;
}

function check(shim: string | null, keep?: number): Run {
  const statsFile = path.join(dir, `stats-${shim}-${keep}`);
  const env: NodeJS.ProcessEnv = { ...process.env, NLW_XSTATE_STATS: statsFile };
  if (shim) env.LD_PRELOAD = path.join(dir, shim);
  if (keep !== undefined) env.NLW_XSTATE_KEEP_BYTES = String(keep);
  const r = spawnSync(path.join(dir, 'xstate-shim-check'), [String(ROUNDS)], { env, encoding: 'utf8', timeout: 60_000 });
  const stats: Record<string, number> = {};
  if (fs.existsSync(statsFile))
    for (const [, k, v] of fs.readFileSync(statsFile, 'utf8').matchAll(/(\w+)=(\d+)/g)) stats[k] = Number(v);
  return { status: r.status, out: r.stdout, err: r.stderr, stats };
}

test('the host kernel takes an NT_X86_XSTATE SETREGSET only of its full XSAVE size', (t) => {
  const r = plain;
  const m = /host_xsave_bytes=(\d+) mode=(\w+) raw_set_832_errno=(\d+) raw_set_2696_errno=(\d+)/.exec(r.out);
  assert.ok(m, `${r.out}${r.err}`);
  t.diagnostic(`host XSAVE size for ptrace: ${host} bytes, vector registers: ${m[2]}`);
  // A longer buffer is clipped to the real size first: UML's 2696 bytes work
  // up to AVX-512 and fail with AMX.
  assert.equal(Number(m[3]), host > 832 ? EFAULT : 0);
  assert.equal(Number(m[4]), host > UML_FP_BYTES ? EFAULT : 0);
  // So without the shim UML's way works exactly on hosts up to 2696 bytes.
  assert.equal(r.status, host > UML_FP_BYTES ? 3 : 0, `${r.out}${r.err}`);
});

for (const keep of [832, 576]) {
  test(`threads keep their own vector registers through the shim keeping ${keep} bytes`, () => {
    const r = check('xstate-shim.so', keep);
    assert.equal(r.status, 0, `${r.out}${r.err}`);
    assert.match(r.out, new RegExp(`${ROUNDS} rounds ok`));
    // 576 is the legacy area and header only: AVX's upper halves and
    // everything after go through the shadows on any AVX host.
    const translated = host > keep ? ROUNDS : 0;
    assert.equal(r.stats.host_xsave_bytes, host);
    assert.equal(r.stats.translated_get, translated);
    assert.equal(r.stats.translated_set, translated);
    assert.equal(r.stats.shadows, translated ? 2 : 0);
  });
}

test('with UML’s own buffer size the shim translates only when the host needs it', () => {
  const r = check('xstate-shim.so');
  assert.equal(r.status, 0, `${r.out}${r.err}`);
  const translated = host > UML_FP_BYTES ? ROUNDS : 0;
  assert.equal(r.stats.translated_get, translated);
  assert.equal(r.stats.passed_through, 2 * ROUNDS - 2 * translated);
});

test('a shim that shares the state beyond the prefix per process is caught', () => {
  const r = check('xstate-shim-per-process.so', 576);
  assert.equal(r.status, 1, `${r.out}${r.err}`);
  assert.match(r.err, /round 1: [a-z]+\d+ /);
  assert.match(r.err, new RegExp(`\\d+ of ${ROUNDS} rounds wrong`));
});
