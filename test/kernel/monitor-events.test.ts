// Proves `nlwrap monitor conntrack` and `nlwrap monitor xfrm` as a user runs
// them (bin/nlwrap.js, the compiled package) in a fresh namespace: one line
// per event like `conntrack -E` / `ip xfrm monitor`, the conntrack-delete
// filter flags applied, NDJSON with --json, exit 0 on SIGINT; misused flags
// are usage errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { main } from '../../lib/cli';
import { ctInsert } from '../helpers/conntrack';
import { sleep } from '../helpers/events';
import { createNetns, deleteNetns, ip, isRoot } from '../helpers/netns';

const skip = !isRoot && 'needs root';
const BIN = path.join(__dirname, '..', '..', 'bin', 'nlwrap.js');

/** Starts the CLI; `stop()` sends SIGINT and resolves with its exit code and output. */
function cli(args: string[]): { out: () => string; stop: () => Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    out: () => out,
    stop: async () => {
      child.kill('SIGINT');
      return { code: await exited, out, err };
    },
  };
}

async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && !pred();) await sleep(50);
}

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
