// Runs every test/guest/*.test.ts inside a real Linux 6.1 kernel under
// user-mode Linux (test/uml/run-guest.sh), booted once for all of them, and
// reports each guest test as a test here. This is where what the host kernel
// lacks is tested: XFRM states (ESP/AH/IPComp), link kinds such as dummy,
// vlan, bond, and DCCP conntrack; and it is a second kernel version.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isRoot } from './helpers/netns';

const root = path.join(__dirname, '..');
const guestDir = path.join(__dirname, 'guest');
const files = fs
  .readdirSync(guestDir)
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => path.join('test', 'guest', f));

interface GuestResult {
  name: string;
  ok: boolean;
  skipped: boolean;
  detail: string;
}

/** Top-level results of a node:test TAP stream. */
function parseTap(tap: string): GuestResult[] {
  const lines = tap.replace(/\r/g, '').split('\n');
  const out: GuestResult[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(not ok|ok) \d+ - (.*?)( # SKIP.*)?$/.exec(lines[i]);
    if (!m) continue;
    const detail: string[] = [];
    for (let k = i + 1; k < lines.length && /^\s/.test(lines[k]); k++) detail.push(lines[k]);
    out.push({ name: m[2], ok: m[1] === 'ok', skipped: m[3] !== undefined, detail: detail.join('\n') });
  }
  return out;
}

test('guest tests under user-mode Linux 6.1', { skip: !isRoot && 'needs root' }, async (t) => {
  // The guest's root file system is read-only: build what guest tests run first.
  execFileSync('sh', [path.join(root, 'scripts', 'build-ct-insert.sh')], { stdio: 'inherit' });
  const r = spawnSync(path.join(root, 'test', 'uml', 'run-guest.sh'), files, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 300_000,
  });
  const results = parseTap(r.stdout ?? '');
  assert.ok(results.length > 0, `the guest ran no test:\n${r.stdout}\n${r.stderr}`);
  for (const res of results) {
    await t.test(`guest: ${res.name}`, { skip: res.skipped }, () => {
      assert.ok(res.ok, res.detail);
    });
  }
  assert.equal(r.status, 0, `guest run failed:\n${r.stderr}`);
});
