// Runs inside the user-mode-Linux 6.1 guest (test/uml): the link kinds the
// host kernel lacks (dummy, vlan, bond with ports, ipvlan, geneve, gre,
// gretap, ip6gre, ip6gretap, ipip, sit, vrf with a port) agree field by field
// with `ip -j -d link show`, kind data and port data included, on a second
// kernel version.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Handle,
  isLinkType,
  type Link,
  BOND_MODE_ACTIVEBACKUP,
  ETH_P_8021AD,
  IPVLAN_F_PRIVATE,
  IPVLAN_MODE_L2,
  IPVLAN_MODE_L3,
} from '../../lib/index';
import { createNetns, ipBatch, ipJson } from '../helpers/netns';
import { assertLinksMatchIp, assertSameShapePerKind, type IpLink } from '../helpers/link-oracle';

test('kinds the host lacks agree with ip -j -d link show (kernel 6.1)', async () => {
  const ns = createNetns('gkinds');
  ipBatch(ns, [
    'link add d0 type dummy',
    'link add d1 type dummy',
    'link set d0 mtu 1400 up',
    'link add v10 link d0 type vlan id 10',
    'link add v20 link d0 type vlan proto 802.1ad id 20 gvrp on loose_binding on ingress-qos-map 1:2 egress-qos-map 3:4 5:6',
    'link add bo0 type bond mode active-backup miimon 100 updelay 200 downdelay 200 arp_validate none',
    'link add bo1 type bond mode 802.3ad lacp_rate fast xmit_hash_policy layer3+4 min_links 1',
    'link add d2 type dummy',
    'link add d3 type dummy',
    'link set d2 master bo0',
    'link set d3 master bo0',
    'link set bo0 up',
    'link add iv0 link d1 type ipvlan mode l3',
    // the mode belongs to the lower device's ipvlan port, shared by its ipvlans
    'link add d5 type dummy',
    'link add iv1 link d5 type ipvlan mode l2 private',
    'link add gn0 type geneve id 100 remote 10.2.2.2 ttl 33 dstport 6081',
    'link add gn1 type geneve id 101 remote 2001:db8::2',
    'link add gr0 type gre remote 10.3.3.3 local 10.3.3.1 ttl 64 key 42',
    'link add gt0 type gretap remote 10.3.3.4 local 10.3.3.1 ikey 7 okey 8',
    'link add g60 type ip6gre remote 2001:db8::3 local 2001:db8::1 encaplimit 3',
    'link add g61 type ip6gretap remote 2001:db8::4 local 2001:db8::1',
    'link add ii0 type ipip remote 10.4.4.4 local 10.4.4.1 ttl 20',
    'link add st0 type sit remote 10.5.5.5 local 10.5.5.1 ttl 30',
    'link add st1 type sit mode any remote any local 10.5.5.2 isatap',
    'link add vr0 type vrf table 100',
    'link add d4 type dummy',
    'link set d4 master vr0',
    'link set vr0 up',
  ]);
  // Bond ports go BACK -> UP after updelay (200 ms) on miimon ticks: wait
  // for the state to settle, or the dump and the oracle may straddle it.
  for (let deadline = Date.now() + 10_000; ;) {
    const ports = ipJson<IpLink[]>(ns, '-d', 'link', 'show').filter((o) => o.linkinfo?.info_slave_kind === 'bond');
    if (ports.every((o) => o.linkinfo?.info_slave_data?.mii_status === 'UP')) break;
    assert.ok(Date.now() < deadline, 'bond ports did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
  const h = new Handle({ netns: ns });
  try {
    const links = await h.linkList();
    const oracle = ipJson<IpLink[]>(ns, '-d', 'link', 'show');
    const kindFields = assertLinksMatchIp(links, oracle);
    assert.ok(kindFields > 100, `compared ${kindFields} kind/port fields`);
    assertSameShapePerKind(links);

    const get = (n: string): Link => links.find((l) => l.name === n) as Link;
    const v20 = get('v20');
    assert.ok(isLinkType(v20, 'vlan'));
    assert.deepEqual(
      [v20.vlanId, v20.vlanProtocol, v20.gvrp, v20.looseBinding, v20.reorderHdr],
      [20, ETH_P_8021AD, true, true, true],
    );
    assert.deepEqual(v20.ingressQosMap, [{ from: 1, to: 2 }]);
    assert.deepEqual(v20.egressQosMap, [
      { from: 3, to: 4 },
      { from: 5, to: 6 },
    ]);
    const bo0 = get('bo0');
    assert.ok(isLinkType(bo0, 'bond'));
    assert.deepEqual([bo0.mode, bo0.miimon, bo0.upDelay, bo0.downDelay], [BOND_MODE_ACTIVEBACKUP, 100, 200, 200]);
    const d2 = get('d2');
    assert.equal(d2.slaveType, 'bond');
    assert.ok(d2.slave && 'miiStatus' in d2.slave);
    assert.equal(d2.slave.permHardwareAddr, d2.permHwAddr ?? d2.slave.permHardwareAddr);
    const iv0 = get('iv0');
    assert.ok(isLinkType(iv0, 'ipvlan'));
    assert.equal(iv0.mode, IPVLAN_MODE_L3);
    const iv1 = get('iv1');
    assert.ok(isLinkType(iv1, 'ipvlan'));
    assert.deepEqual([iv1.mode, iv1.flag], [IPVLAN_MODE_L2, IPVLAN_F_PRIVATE]);
    const gn1 = get('gn1');
    assert.ok(isLinkType(gn1, 'geneve'));
    assert.deepEqual([gn1.id, gn1.remote, gn1.flowBased], [101, '2001:db8::2', false]);
    const gr0 = get('gr0');
    assert.ok(isLinkType(gr0, 'gre'));
    assert.deepEqual([gr0.iKey, gr0.oKey, gr0.local, gr0.remote, gr0.ttl], [42, 42, '10.3.3.1', '10.3.3.3', 64]);
    const gt0 = get('gt0');
    assert.ok(isLinkType(gt0, 'gretap'));
    assert.deepEqual([gt0.iKey, gt0.oKey], [7, 8]);
    const g60 = get('g60');
    assert.ok(isLinkType(g60, 'ip6gre'));
    assert.deepEqual([g60.remote, g60.encapLimit], ['2001:db8::3', 3]);
    const st1 = get('st1');
    assert.ok(isLinkType(st1, 'sit'));
    assert.deepEqual([st1.proto, st1.remote, st1.sittunFlags], [0, '0.0.0.0', 1]);
    const vr0 = get('vr0');
    assert.ok(isLinkType(vr0, 'vrf'));
    assert.equal(vr0.table, 100);
    assert.deepEqual(get('d4').slave, { table: 100 });
    assert.equal(get('d0').type, 'dummy');
  } finally {
    h.close();
  }
});
