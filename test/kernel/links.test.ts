// Proves linkList/linkByName/linkByIndex against the real kernel: in a fresh
// namespace, links of many kinds (veth pairs, one peer in another namespace,
// a bridge with ports, vxlan, macvlan/macvtap in two modes each, tun, tap,
// ifb) with alt names, an alias, a group, several MTUs and up/down states
// agree field by field with `ip -j -d link show`, kind data (info_data) and
// bridge port data (info_slave_data) included; names, alt names and indices
// resolve; handles on other namespaces, concurrency, a deleted namespace, a
// long dump beside timers, bad arguments and `nlwrap links --json`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import {
  Handle,
  isLinkType,
  LinkNotFoundError,
  MACVLAN_MODE_BRIDGE,
  MACVLAN_MODE_SOURCE,
  IFF_TAP,
  IFF_TUN,
  type Link,
} from '../../lib/index';
import { createNetns, deleteNetns, ip, ipBatch, ipJson, isRoot } from '../helpers/netns';
import { assertLinksMatchIp, assertSameShapePerKind, type IpLink } from '../helpers/link-oracle';

const skip = !isRoot && 'needs root';

/** Builds the zoo of host-supported kinds in `ns` (and a veth peer in `other`). */
function buildZoo(ns: string, other: string): void {
  ipBatch(ns, [
    'link add va type veth peer name vb',
    'link add vc type veth peer name vd',
    `link add xa type veth peer name xb netns ${other}`,
    'link add br0 type bridge',
    'link set va master br0',
    'link set vc master br0',
    'link set va mtu 1400',
    'link set vb mtu 9000',
    'link set br0 up',
    'link set va up',
    'link set vb up',
    'link add vx0 type vxlan id 42 dstport 4789 group 239.1.1.1 dev vb local 10.9.9.9 ttl 9',
    'link add vx1 type vxlan id 7 dstport 8472 remote 10.1.1.2 local 10.1.1.1 nolearning ageing 120',
    'link set vx1 master br0',
    'link add mv0 link vb type macvlan mode private',
    'link add mv1 link vb type macvlan mode source',
    'link set mv1 type macvlan macaddr add 02:11:22:33:44:55',
    'link add mt0 link vd type macvtap mode vepa',
    'link add mt1 link vd type macvtap mode bridge',
    'link set mt1 up',
    'link add ifb0 type ifb',
    'link set ifb0 group 7 mtu 1280',
    'link property add dev vb altname a-very-long-alternative-name',
    'link property add dev vb altname alt2',
    'link set vb alias "peer of va"',
  ]);
  ip(ns, 'tuntap', 'add', 'tn0', 'mode', 'tun', 'multi_queue', 'user', '54321', 'group', '54322');
  ip(ns, 'tuntap', 'add', 'tp0', 'mode', 'tap', 'vnet_hdr');
  ip(ns, 'link', 'set', 'tp0', 'up');
}

test('linkList agrees field by field with ip -j -d link show', { skip }, async () => {
  const ns = createNetns('links');
  const other = createNetns('links-peer');
  buildZoo(ns, other);
  const h = new Handle({ netns: ns });
  try {
    const links = await h.linkList();
    const oracle = ipJson<IpLink[]>(ns, '-d', 'link', 'show');
    const kindFields = assertLinksMatchIp(links, oracle);
    assert.ok(kindFields > 150, `compared ${kindFields} kind/port fields`);
    assertSameShapePerKind(links);
    assert.deepEqual([...new Set(links.map((l) => l.type))].sort(), [
      'bridge',
      'device',
      'ifb',
      'macvlan',
      'macvtap',
      'tun',
      'veth',
      'vxlan',
    ]);

    const get = (n: string): Link => links.find((l) => l.name === n) as Link;
    const vx = get('vx0');
    assert.ok(isLinkType(vx, 'vxlan'));
    assert.equal(vx.vxlanId, 42);
    assert.equal(vx.port, 4789);
    assert.equal(vx.vxlanGroup, '239.1.1.1');
    assert.equal(vx.srcAddr, '10.9.9.9');
    assert.equal(vx.ttl, 9);
    assert.equal(vx.vtepDevIndex, get('vb').index);
    const vx1 = get('vx1');
    assert.ok(isLinkType(vx1, 'vxlan'));
    assert.equal(vx1.vxlanGroup, '10.1.1.2');
    assert.equal(vx1.learning, false);
    assert.equal(vx1.age, 120);
    assert.equal(vx1.slaveType, 'bridge');
    const mv1 = get('mv1');
    assert.ok(isLinkType(mv1, 'macvlan'));
    assert.equal(mv1.mode, MACVLAN_MODE_SOURCE);
    assert.deepEqual(mv1.macAddrs, ['02:11:22:33:44:55']);
    const mt1 = get('mt1');
    assert.ok(isLinkType(mt1, 'macvtap'));
    assert.equal(mt1.mode, MACVLAN_MODE_BRIDGE);
    const tn = get('tn0');
    const tp = get('tp0');
    assert.ok(isLinkType(tn, 'tun') && isLinkType(tp, 'tun'));
    assert.deepEqual([tn.mode, tn.owner, tn.tuntapGroup, tn.nonPersist], [IFF_TUN, 54321, 54322, false]);
    assert.deepEqual([tp.mode, tp.owner, tp.tuntapGroup], [IFF_TAP, null, null]);
    const va = get('va');
    assert.equal(va.masterIndex, get('br0').index);
    assert.equal(va.parentIndex, get('vb').index);
    assert.ok(va.slave && 'cost' in va.slave, 'bridge port data');
    const xa = get('xa');
    assert.equal(xa.netNsId, 0, 'peer in another namespace: link_netnsid');
    assert.equal(get('ifb0').group, 7);
    assert.equal(get('vb').mtu, 9000);
    assert.equal(typeof va.statistics?.rxBytes, 'bigint');
  } finally {
    h.close();
  }
});

test('linkByName, linkByIndex and their errors', { skip }, async () => {
  const ns = createNetns('byname');
  ip(ns, 'link', 'add', 'fifteen-bytes-x', 'type', 'veth', 'peer', 'name', 'p1');
  ip(ns, 'link', 'property', 'add', 'dev', 'p1', 'altname', 'an-alternative-name-longer-than-15');
  const h = new Handle({ netns: ns });
  try {
    const a = await h.linkByName('fifteen-bytes-x');
    assert.equal(a.name, 'fifteen-bytes-x');
    const b = await h.linkByName('an-alternative-name-longer-than-15');
    assert.equal(b.name, 'p1');
    assert.equal((await h.linkByIndex(a.index)).name, 'fifteen-bytes-x');
    await assert.rejects(h.linkByName('missing0'), (e: unknown) => e instanceof LinkNotFoundError && e.code === 'ENODEV');
    await assert.rejects(h.linkByName('a-missing-name-longer-than-15'), LinkNotFoundError);
    await assert.rejects(h.linkByIndex(999999), LinkNotFoundError);
  } finally {
    h.close();
  }
});

test('handles on two namespaces, used concurrently, each see their own links', { skip }, async () => {
  const nsA = createNetns('conc-a');
  const nsB = createNetns('conc-b');
  ipBatch(nsA, ['link add a0 type veth peer name a1']);
  ipBatch(nsB, ['link add b0 type veth peer name b1', 'link add bx type bridge']);
  const ha = new Handle({ netns: nsA });
  const hb = new Handle({ netns: `/var/run/netns/${nsB}` });
  try {
    const calls: Promise<[string, Link[]]>[] = [];
    for (let i = 0; i < 20; i++) {
      calls.push(ha.linkList().then((l) => ['a', l]));
      calls.push(hb.linkList().then((l) => ['b', l]));
    }
    for (const [which, links] of await Promise.all(calls)) {
      const names = links.map((l) => l.name).sort();
      assert.deepEqual(names, which === 'a' ? ['a0', 'a1', 'lo'] : ['b0', 'b1', 'bx', 'lo']);
    }
    // many concurrent calls of every kind on one handle
    const a0 = (await ha.linkByName('a0')).index;
    const mixed = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 3 === 0 ? ha.linkList() : i % 3 === 1 ? ha.linkByName('a1') : ha.linkByIndex(a0),
      ),
    );
    mixed.forEach((r, i) => {
      if (i % 3 === 0) assert.equal((r as Link[]).length, 3);
      else assert.equal((r as Link).name, i % 3 === 1 ? 'a1' : 'a0');
    });
  } finally {
    ha.close();
    hb.close();
  }
});

test('a handle whose namespace is deleted while open keeps working or fails cleanly', { skip }, async () => {
  const ns = createNetns('gone');
  ip(ns, 'link', 'add', 'g0', 'type', 'veth', 'peer', 'name', 'g1');
  const h = new Handle({ netns: ns });
  try {
    assert.equal((await h.linkList()).length, 3);
    deleteNetns(ns);
    // The open sockets pin the namespace: the kernel keeps it alive.
    for (let i = 0; i < 3; i++) {
      try {
        const links = await h.linkList();
        assert.ok(links.some((l) => l.name === 'lo'));
      } catch (e) {
        assert.ok(e instanceof Error && typeof (e as { code?: unknown }).code === 'string', `a clean error: ${String(e)}`);
      }
    }
    assert.throws(
      () => new Handle({ netns: ns }),
      (e: unknown) => (e as { code?: string }).code === 'ENOENT',
    );
  } finally {
    h.close();
  }
});

test('a long link dump does not stall timers', { skip }, async () => {
  const ns = createNetns('long');
  ipBatch(
    ns,
    Array.from({ length: 500 }, (_, i) => `link add l${i} type veth peer name m${i}`),
  );
  const h = new Handle({ netns: ns });
  try {
    // The socket I/O and parsing run off the JS thread: a timer keeps firing
    // while each dump is in flight. (The gap bound is loose: CI machines are
    // shared, and a loaded 2-core box delays timers by itself.)
    let ticks = 0;
    let last = performance.now();
    let worst = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
      ticks++;
    }, 1);
    let n = 0;
    try {
      for (let i = 0; i < 5; i++) {
        const before = ticks;
        n = (await h.linkList()).length;
        assert.ok(ticks > before, `timers fired during dump ${i}`);
      }
    } finally {
      clearInterval(timer);
    }
    assert.equal(n, 1001);
    assert.ok(worst < 1500, `the longest timer gap was ${worst.toFixed(1)} ms`);
  } finally {
    h.close();
  }
});

test('bad arguments reject with TypeError/RangeError and send nothing; use after close', { skip }, async () => {
  const ns = createNetns('badargs');
  const h = new Handle({ netns: ns, families: [0] });
  const before = h.stats.calls;
  const bad: [() => Promise<unknown>, ErrorConstructor][] = [
    [() => h.linkByName(42 as unknown as string), TypeError],
    [() => h.linkByName(undefined as unknown as string), TypeError],
    [() => h.linkByName(''), RangeError],
    [() => h.linkByName('x'.repeat(128)), RangeError],
    [() => h.linkByName('a\0b'), RangeError],
    [() => h.linkByIndex('1' as unknown as number), TypeError],
    [() => h.linkByIndex(-1), RangeError],
    [() => h.linkByIndex(0), RangeError],
    [() => h.linkByIndex(1.5), RangeError],
    [() => h.linkByIndex(2 ** 31), RangeError],
    [() => h.linkByIndex(NaN), RangeError],
  ];
  for (const [call, type] of bad) {
    let p: Promise<unknown> | undefined;
    assert.doesNotThrow(() => (p = call()), 'never throws synchronously');
    await assert.rejects(p as Promise<unknown>, type);
  }
  assert.equal(h.stats.calls, before, 'nothing was sent');
  assert.throws(() => new Handle({ netns: ns, bogus: 1 } as never), TypeError);
  assert.throws(() => new Handle({ netns: 1.5 }), RangeError);
  assert.throws(() => new Handle({ netns: {} as never }), TypeError);
  assert.throws(
    () => new Handle({ netns: 'nlw-no-such-namespace' }),
    (e: unknown) => (e as { code?: string }).code === 'ENOENT',
  );
  h.close();
  h.close();
  for (const call of [() => h.linkList(), () => h.linkByName('lo'), () => h.linkByIndex(1)])
    await assert.rejects(call(), (e: unknown) => (e as { code?: string }).code === 'ERR_HANDLE_CLOSED');
});

test('nlwrap links --json parses and matches linkList()', { skip }, async () => {
  const ns = createNetns('cli');
  const other = createNetns('cli-peer');
  buildZoo(ns, other);
  const h = new Handle({ netns: ns });
  try {
    const bin = path.join(__dirname, '..', '..', 'bin', 'nlwrap.js');
    const r = spawnSync(process.execPath, [bin, 'links', '--netns', ns, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, DEBUG: 'nlwrap:netns' },
    });
    assert.equal(r.status, 0, r.stderr);
    // Only the route socket: listing links needs no xfrm_user or conntrack module.
    assert.match(r.stderr, /handle opened in \S+, protocols \[ 0 \]/);
    const cli = JSON.parse(r.stdout) as Record<string, unknown>[];
    const lib = JSON.parse(JSON.stringify(await h.linkList(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as Record<
      string,
      unknown
    >[];
    // Counters and running timers move between the two dumps.
    const moving = /^(statistics|carrier\w+|\w+Timer)$/;
    const strip = (l: Record<string, unknown>): Record<string, unknown> =>
      JSON.parse(JSON.stringify(l, (k, v: unknown) => (moving.test(k) ? null : v))) as Record<string, unknown>;
    assert.deepEqual(cli.map(strip), lib.map(strip));
    const table = spawnSync(process.execPath, [bin, 'links', '--netns', ns], { encoding: 'utf8' });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /\bvx0\s+vxlan\b/);
    const bad = spawnSync(process.execPath, [bin, 'links', '--netns', 'nlw-no-such-namespace'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /ENOENT/);
  } finally {
    h.close();
  }
});
