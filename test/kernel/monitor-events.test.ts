// Proves `nlwrap monitor links|addrs|routes|conntrack|xfrm` as a user runs
// them (bin/nlwrap.js, the compiled package) in a fresh namespace: one line
// per change like `ip monitor` / `conntrack -E` / `ip xfrm monitor`, the
// existing objects first with --list-existing, --family, the
// conntrack-delete filter flags applied, NDJSON whose objects are the
// library's updates with --json, loss markers printed (a tiny --buffer-size
// under an `ip -batch` storm) and updates after them, exit 0 on SIGINT;
// misused flags are usage errors (exit 2).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { main } from '../../lib/cli';
import { ctInsert } from '../helpers/conntrack';
import { sleep } from '../helpers/events';
import { createNetns, deleteNetns, ip, ipBatchAsync, isRoot } from '../helpers/netns';

const skip = !isRoot && 'needs root';
const BIN = path.join(__dirname, '..', '..', 'bin', 'nlwrap.js');

interface Cli {
  out: () => string;
  /** The first whole output line matching `re`; rejects with the output after `ms`. */
  waitLine: (re: RegExp, ms?: number) => Promise<string>;
  /** SIGINT, as Ctrl-C: its exit code (null if a signal killed it) and output. */
  stop: () => Promise<{ code: number | null; out: string; err: string }>;
}

/** Starts the CLI. */
function cli(args: string[]): Cli {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    out: () => out,
    waitLine: async (re, ms = 5000) => {
      for (const end = Date.now() + ms; ; await sleep(20)) {
        const l = out
          .split('\n')
          .slice(0, -1)
          .find((x) => re.test(x));
        if (l !== undefined) return l;
        if (Date.now() > end) throw new Error(`no line matching ${re} in ${ms} ms:\n${out}\n${err}`);
      }
    },
    stop: async () => {
      child.kill('SIGINT');
      return { code: await exited, out, err };
    },
  };
}

async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && !pred();) await sleep(50);
}

test('nlwrap monitor links: a line per change, the existing links first, exit 0 on SIGINT', { skip }, async () => {
  const ns = createNetns('mon');
  ip(ns, 'link', 'add', 'pre0', 'type', 'bridge');
  const m = cli(['monitor', 'links', '--netns', ns, '--list-existing']);
  try {
    // The existing links first, then the marker: the socket is open by then.
    await m.waitLine(/^LISTED 2 existing$/);
    assert.match(m.out(), /^NEW link \d+: pre0 bridge mtu 1500 state down$/m);
    ip(ns, 'link', 'add', 'mon0', 'type', 'bridge');
    ip(ns, 'link', 'set', 'mon0', 'mtu', '1400');
    ip(ns, 'link', 'del', 'mon0');
    await m.waitLine(/^NEW link \d+: mon0 bridge mtu 1500 /);
    await m.waitLine(/^NEW link \d+: mon0 bridge mtu 1400 /);
    await m.waitLine(/^DEL link \d+: mon0 bridge /);
    const r = await m.stop();
    assert.equal(r.code, 0, r.err);
  } finally {
    await m.stop();
    deleteNetns(ns);
  }
});

test("nlwrap monitor addrs --json --family 4: NDJSON of the library's updates", { skip }, async () => {
  const ns = createNetns('mon');
  ip(ns, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
  const m = cli(['monitor', 'addrs', '--netns', ns, '--json', '--list-existing', '--family', '4']);
  try {
    await m.waitLine(/"kind":"listed"/);
    ip(ns, 'addr', 'add', '10.5.0.1/24', 'dev', 'va');
    ip(ns, 'addr', 'add', '2001:db8::1/64', 'dev', 'va', 'nodad');
    ip(ns, 'addr', 'del', '10.5.0.1/24', 'dev', 'va');
    await m.waitLine(/"newAddr":false/);
    const r = await m.stop();
    assert.equal(r.code, 0, r.err);
    const objs = r.out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // The existing address (lo's 127.0.0.1), the marker, then the changes.
    assert.equal(objs[0].linkAddress, '127.0.0.1/8');
    assert.deepEqual(objs[1], { kind: 'listed', count: 1 });
    const ups = objs.slice(2);
    assert.deepEqual(
      ups.map((u) => [u.kind, u.newAddr, u.linkAddress]),
      [
        ['addr', true, '10.5.0.1/24'],
        ['addr', false, '10.5.0.1/24'],
      ],
      '--family 4 leaves the IPv6 address out',
    );
    const addr = ups[0].addr as Record<string, unknown>;
    assert.equal(addr.ipNet, '10.5.0.1/24');
    assert.equal(addr.label, 'va');
  } finally {
    await m.stop();
    deleteNetns(ns);
  }
});

test('nlwrap monitor routes: routes, and LOST lines under a storm with updates after them', { skip }, async () => {
  const ns = createNetns('mon');
  ip(ns, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
  ip(ns, 'link', 'set', 'va', 'up');
  ip(ns, 'addr', 'add', '10.9.0.1/16', 'dev', 'va');
  const m = cli(['monitor', 'routes', '--netns', ns, '--buffer-size', '1', '--list-existing']);
  try {
    await m.waitLine(/^LISTED \d+ existing$/);
    ip(ns, 'route', 'add', '192.0.2.0/24', 'via', '10.9.0.2', 'table', '100');
    await m.waitLine(/^NEW route 192\.0\.2\.0\/24 via 10\.9\.0\.2 dev \d+ table 100 proto boot$/);
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) lines.push(`route add 10.${100 + (i >> 8)}.${i & 255}.0/24 via 10.9.0.2`);
    for (let i = 0; i < 10_000; i++) lines.push(`route del 10.${100 + (i >> 8)}.${i & 255}.0/24 via 10.9.0.2`);
    await ipBatchAsync(ns, lines);
    await m.waitLine(/^LOST ENOBUFS unknown number of events$/, 10_000);
    ip(ns, 'route', 'add', '203.0.113.0/24', 'via', '10.9.0.2');
    await m.waitLine(/^NEW route 203\.0\.113\.0\/24 /, 10_000);
    const r = await m.stop();
    assert.equal(r.code, 0, r.err);
  } finally {
    await m.stop();
    deleteNetns(ns);
  }
});

test('nlwrap monitor conntrack: conntrack -E lines, filter flags, --json, SIGINT', { skip }, async () => {
  const ns = createNetns('mct');
  const text = cli(['monitor', 'conntrack', '--netns', ns, '--mark', '7']);
  const json = cli(['monitor', 'conntrack', '--netns', ns, '--json', '--proto', 'udp']);
  try {
    await sleep(1500); // both subscribed (node start-up)
    ctInsert(ns, [
      'ct family=4 proto=6 src=10.70.0.1 dst=10.70.0.2 sport=1000 dport=80 mark=7',
      'ct family=4 proto=17 src=10.70.0.1 dst=10.70.0.3 sport=53 dport=53',
      'del family=4 proto=6 src=10.70.0.1 dst=10.70.0.2 sport=1000 dport=80',
    ]);
    await until(() => text.out().split('\n').length > 2 && json.out().length > 0);
    await sleep(300);
    const t = await text.stop();
    const j = await json.stop();
    assert.equal(t.code, 0, t.err);
    assert.equal(j.code, 0, j.err);
    const lines = t.out.trim().split('\n');
    assert.equal(lines.length, 2, t.out);
    assert.match(
      lines[0],
      /^\[NEW\] tcp ESTABLISHED src=10\.70\.0\.1 dst=10\.70\.0\.2 sport=1000 dport=80 src=10\.70\.0\.2 dst=10\.70\.0\.1 sport=80 dport=1000 mark=7 id=\d+$/,
    );
    assert.match(lines[1], /^\[DESTROY\] tcp /);
    const events = j.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; event: string; flow: { forward: { srcPort: number } } });
    assert.deepEqual(
      events.map((e) => [e.kind, e.event, e.flow.forward.srcPort]),
      [['conntrack', 'new', 53]],
    );
  } finally {
    await text.stop();
    await json.stop();
    deleteNetns(ns);
  }
});

test('nlwrap monitor xfrm: policies, flushes, SIGINT', { skip }, async () => {
  const ns = createNetns('mxf');
  const mon = cli(['monitor', 'xfrm', '--netns', ns]);
  try {
    await sleep(1500);
    ip(ns, 'xfrm', 'policy', 'add', 'src', '10.71.0.0/24', 'dst', '10.72.0.0/24', 'dir', 'out', 'priority', '5');
    ip(ns, 'xfrm', 'policy', 'flush');
    await until(() => mon.out().split('\n').length > 2);
    const r = await mon.stop();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trim().split('\n'), [
      'NEW policy src 10.71.0.0/24 dst 10.72.0.0/24 dir out priority 5 index 1',
      'FLUSH policy type 0',
    ]);
  } finally {
    await mon.stop();
    deleteNetns(ns);
  }
});

test('nlwrap monitor: conntrack flags elsewhere are usage errors', async () => {
  let err = '';
  const code = await main(
    ['monitor', 'links', '--mark', '1'],
    () => undefined,
    (s) => (err += s),
  );
  assert.equal(code, 2);
  assert.match(err, /apply to conntrack/);
  err = '';
  assert.equal(
    await main(
      ['monitor', 'conntrack', '--dport', '80'],
      () => undefined,
      (s) => (err += s),
    ),
    2,
  );
  assert.match(err, /--dport needs --proto/);
});

test('nlwrap monitor: a missing or unknown kind, --family on links, a bad --buffer-size exit 2', async () => {
  for (const args of [
    ['monitor'],
    ['monitor', 'bogus'],
    ['monitor', 'links', '--family', '4'],
    ['monitor', 'routes', '--buffer-size', '-1'],
  ]) {
    let err = '';
    const code = await main(
      args,
      () => undefined,
      (s) => (err += s),
    );
    assert.equal(code, 2, `${args.join(' ')}: ${err}`);
    assert.match(err, /^nlwrap monitor: /, args.join(' '));
  }
});
