// Runs every test/guest/*.test.ts inside a real Linux 6.1 kernel under
// user-mode Linux (test/uml/run-guest.sh), booted once for all of them, and
// reports each guest test as a test here. This is where what the host kernel
// lacks is tested: XFRM states (ESP/AH/IPComp), link kinds such as dummy,
// vlan, bond, and DCCP conntrack; and it is a second kernel version. A guest
// that does not boot fails this test, with the console's last lines. Also
// checks the report of the xstate shim that linux.uml runs with.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isRoot } from '../helpers/netns';

const root = path.join(__dirname, '..', '..');
const guestDir = path.join(__dirname, '..', 'guest');
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
  // A guest that did not boot is a failure, shown with the console's end.
  const tail = `console (last lines):\n${lastLines(r.stdout ?? '', 60)}\n${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
  const results = parseTap(r.stdout ?? '');
  assert.ok(results.length > 0, `the guest ran no test; ${tail}`);
  for (const res of results) {
    await t.test(`guest: ${res.name}`, { skip: res.skipped }, () => {
      assert.ok(res.ok, res.detail);
    });
  }
  await t.test('guest vector state went through the xstate shim', (st) => {
    // run-guest.sh prints the shim's counters: proof that it was loaded and,
    // where the host's XSAVE area is larger than what UML keeps, translated.
    const m =
      /xstate shim: host_xsave_bytes=(\d+) uml_bytes=\d+ keep_bytes=(\d+) translated_get=(\d+) translated_set=(\d+) passed_through=(\d+)/.exec(
        r.stderr ?? '',
      );
    assert.ok(m, `no report from the xstate shim; ${tail}`);
    const [host, keep, get, set, passed] = m.slice(1).map(Number);
    st.diagnostic(`host XSAVE ${host} bytes, UML keeps ${keep}: ${get} GET and ${set} SET translated, ${passed} passed through`);
    if (host > keep) assert.ok(get > 0 && set > 0 && passed === 0, m[0]);
    else assert.ok(passed > 0 && get + set === 0, m[0]);
  });
  assert.equal(r.status, 0, `guest run failed; ${tail}`);
});

function lastLines(text: string, n: number): string {
  return text.replace(/\r/g, '').split('\n').slice(-n).join('\n');
}
