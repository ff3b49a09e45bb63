// Proves linkList/linkByName/linkByIndex against the real kernel: in a fresh
// namespace, links of several kinds agree field by field with `ip -j -d link
// show`; names, alt names and indices resolve; missing ones reject ENODEV.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Handle, LinkNotFoundError } from '../lib/index';
import { createNetns, ip, ipJson, isRoot } from './helpers/netns';

interface IpLink {
  ifindex: number;
  ifname: string;
  mtu: number;
  address?: string;
  operstate: string;
  txqlen?: number;
  master?: string;
  link_index?: number;
  flags: string[];
  ifalias?: string;
  altnames?: string[];
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

test('linkList agrees with ip -j -d link show', { skip: !isRoot && 'needs root' }, async () => {
  const ns = createNetns('links');
  ip(ns, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
  ip(ns, 'link', 'add', 'br0', 'type', 'bridge');
  ip(ns, 'link', 'set', 'va', 'master', 'br0', 'mtu', '1400');
  ip(ns, 'link', 'set', 'br0', 'up');
  ip(ns, 'link', 'set', 'va', 'up');
  ip(ns, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'group', '239.1.1.1', 'dev', 'vb', 'local', '10.9.9.9');
  ip(ns, 'link', 'property', 'add', 'dev', 'vb', 'altname', 'a-very-long-alternative-name');
  ip(ns, 'link', 'set', 'vb', 'alias', 'peer of va');

  const h = new Handle({ netns: ns });
  try {
    const links = await h.linkList();
    const oracle = ipJson<IpLink[]>(ns, '-d', 'link', 'show');
    assert.equal(links.length, oracle.length);
    const byName = new Map(oracle.map((o) => [o.ifname, o]));
    for (const l of links) {
      const o = byName.get(l.name);
      assert.ok(o, `ip knows ${l.name}`);
      assert.equal(l.index, o.ifindex, `${l.name} index`);
      assert.equal(l.mtu, o.mtu, `${l.name} mtu`);
      assert.equal(l.type, o.linkinfo?.info_kind ?? 'device', `${l.name} type`);
      assert.equal(l.hardwareAddr, o.address && o.address !== '00:00:00:00:00:00' ? o.address : null, `${l.name} mac`);
      assert.equal(l.txQLen, o.txqlen ?? 0, `${l.name} txqlen`);
      assert.equal(l.alias, o.ifalias ?? null, `${l.name} alias`);
      assert.deepEqual(l.altNames ?? [], o.altnames ?? [], `${l.name} altnames`);
      if (o.master) assert.equal(links.find((x) => x.index === l.masterIndex)?.name, o.master, `${l.name} master`);
      else assert.equal(l.masterIndex, null);
      if (o.link_index !== undefined) assert.equal(l.parentIndex, o.link_index, `${l.name} link index`);
    }
    const vx = links.find((l) => l.name === 'vx0');
    assert.ok(vx && vx.type === 'vxlan');
    if (vx.type === 'vxlan') {
      assert.equal(vx.vxlanId, 42);
      assert.equal(vx.port, 4789);
      assert.equal(vx.vxlanGroup, '239.1.1.1');
      assert.equal(vx.srcAddr, '10.9.9.9');
    }
  } finally {
    h.close();
  }
});

test('linkByName, linkByIndex and their errors', { skip: !isRoot && 'needs root' }, async () => {
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
