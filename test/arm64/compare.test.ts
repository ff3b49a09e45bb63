// Proves the linux-arm64 prebuild against a real kernel: arm64 Node 20 runs
// under qemu-user (which passes NETLINK_ROUTE through, and no other netlink
// protocol), loads the package with PREBUILDS_ONLY=1, and must read the same
// links (varied kinds, plus 1 500 ifb devices so the dump is parsed on the
// pipeline thread), addresses, routes, lookups and errors from a throwaway
// namespace as the x64 prebuild does; `nlwrap links --json` must print the
// same on both. Run by scripts/test-arm64.sh, which sets NLW_ARM64_NODE.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { createNetns, ipBatch, isRoot, quietIpv6 } from '../helpers/netns';

const root = path.join(__dirname, '..', '..');
const arm64 = process.env.NLW_ARM64_NODE?.split(' ').filter(Boolean) ?? [];
const skip = (!isRoot && 'needs root') || (arm64.length === 0 && 'NLW_ARM64_NODE is not set (npm run test:arm64)');

type Json = Record<string, unknown>;

function run(node: string[], args: string[]): { out: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(node[0], [...node.slice(1), ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, PREBUILDS_ONLY: '1' },
  });
  assert.equal(r.status, 0, `${node.join(' ')} ${args.join(' ')}: ${r.stderr}`);
  return { out: r.stdout, ms: Date.now() - t0 };
}

// Counters and running timers move between two dumps.
const moving = /^(statistics|carrier\w+|\w+Timer)$/;
const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x: unknown) => (moving.test(k) ? null : x)));

function buildZoo(ns: string, peer: string): void {
  quietIpv6(ns);
  ipBatch(ns, [
    'link add va type veth peer name vb',
    `link add xa type veth peer name xb netns ${peer}`,
    'link add br0 type bridge',
    'link set va master br0',
    'link set br0 up',
    'link set va up',
    'link set vb up mtu 9000',
    'link add vx0 type vxlan id 42 dstport 4789 group 239.1.1.1 dev vb local 10.9.9.9 ttl 9',
    'link add mv0 link vb type macvlan mode private',
    'link add mt0 link vb type macvtap mode vepa',
    'link add vx1 type vxlan id 7 dstport 8472 remote 10.1.1.2 local 10.1.1.1 nolearning ageing 120',
    'link set vx1 master br0',
    'link add ifb0 type ifb',
    'link set ifb0 group 7 mtu 1280',
    'tuntap add tn0 mode tun multi_queue user 54321',
    'tuntap add tp0 mode tap vnet_hdr',
    'link property add dev vb altname a-very-long-alternative-name',
    'link set vb alias "peer of va"',
    'addr add 10.7.0.1/24 dev vb',
    'addr add 10.7.0.2/24 dev vb label vb:two',
    'addr add 2001:db8:7::1/64 dev vb',
    'addr add 10.8.0.1 peer 10.8.0.2/32 dev va',
    'route add 10.70.0.0/16 via 10.7.0.254 dev vb metric 50',
    'route add 10.71.0.0/16 dev vb table 100 proto static',
    'route add 2001:db8:70::/48 via 2001:db8:7::fe dev vb',
    'route add blackhole 10.72.0.0/16',
    ...Array.from({ length: 1500 }, (_, i) => `link add ifb${i + 1} type ifb`),
  ]);
}

test('arm64 under qemu-user reads the same links, addresses and routes as x64', { skip, timeout: 300_000 }, (t) => {
  const ns = createNetns('arm64');
  const peer = createNetns('arm64-peer');
  buildZoo(ns, peer);
  const snapshot = path.join('test', 'arm64', 'snapshot.ts');
  const x = run([process.execPath], ['--import', 'tsx', snapshot, ns, peer]);
  const a = run(arm64, ['--import', 'tsx', snapshot, ns, peer]);
  const xs = JSON.parse(x.out) as Json;
  const as = JSON.parse(a.out) as Json;
  assert.deepEqual([xs.arch, xs.addon], ['x64', path.join('prebuilds', 'linux-x64', 'nlwrap.glibc.node')]);
  assert.deepEqual([as.arch, as.addon], ['arm64', path.join('prebuilds', 'linux-arm64', 'nlwrap.glibc.node')]);
  for (const s of [xs, as]) {
    delete s.arch;
    delete s.addon;
  }
  assert.ok((xs.links as Json[]).length > 1500 && (xs.addrs as Json[]).length >= 6 && (xs.routes4 as Json[]).length >= 4);
  assert.deepEqual(strip(as), strip(xs));
  t.diagnostic(`snapshot of ${(xs.links as Json[]).length} links: x64 ${x.ms} ms, arm64 under qemu ${a.ms} ms`);

  const cli = ['bin/nlwrap.js', 'links', '--netns', ns, '--json'];
  const xc = JSON.parse(run([process.execPath], cli).out) as Json[];
  const ac = JSON.parse(run(arm64, cli).out) as Json[];
  assert.equal(ac.length, xc.length);
  assert.deepEqual(strip(ac), strip(xc));
});
