// Proves xfrmPolicyList on the host kernel (6.18), in a fresh namespace:
// out/in/fwd policies with marks, priorities, port/proto selectors, a device,
// if_id, sub policies, IPv4 and IPv6 (2001:db8:: with trailing zero bytes),
// several templates, agree field by field with `ip -s xfrm policy`; family
// filtering keeps exactly the asked family; 2 000 policies dump completely;
// bad arguments reject (never throw); the CLI lists them. States need ESP,
// which this kernel lacks: they are proved in test/guest/xfrm.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../lib/cli';
import { FAMILY_ALL, FAMILY_V4, FAMILY_V6, Handle, xfrmPolicyList } from '../../lib/index';
import { createNetns, ip, ipBatch, ipJson, isRoot } from '../helpers/netns';
import { assertPolicyMatches, parseIpPolicies } from '../helpers/ipxfrm';

const skip = !isRoot && 'needs root';

const POLICIES = [
  'xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 1000 mark 0x10 mask 0xff tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 101 mode tunnel',
  'xfrm policy add src 10.2.0.0/24 dst 10.1.0.0/24 proto tcp sport 1234 dport 443 dir in priority 7 tmpl src 192.0.2.2 dst 192.0.2.1 proto comp mode tunnel level use tmpl src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x100 reqid 102 mode tunnel',
  'xfrm policy add src 10.3.0.0/16 dst 0.0.0.0/0 proto udp sport 53 dir fwd action block',
  'xfrm policy add src 10.4.0.0/24 dst 10.5.0.0/24 dir out ptype sub flag localok if_id 0x7 tmpl proto esp reqid 301 mode transport',
  'xfrm policy add src 10.6.0.0/24 dst 10.7.0.0/24 dev xv0 dir in mark 0x5 tmpl src 192.0.2.9 dst 192.0.2.8 proto ah reqid 5 mode tunnel',
  'xfrm policy add src 2001:db8:2::/48 dst 2001:db8:1::/48 dir in tmpl src 2001:db8:: dst 2001:db8:1:: proto comp mode tunnel level use tmpl src 2001:db8:: dst 2001:db8:1:: proto esp reqid 201 mode tunnel',
  'xfrm policy add src 2001:db8:1::/48 dst 2001:db8:2::/48 dir out priority 5 if_id 0x9 mark 0x20 mask 0xf0 tmpl src 2001:db8:1:: dst 2001:db8:: proto ah reqid 202 mode tunnel',
  'xfrm policy add src ::/0 dst 2001:db8:3::1/128 proto ipv6-icmp type 128 code 0 dir fwd priority 3',
];

test('xfrmPolicyList agrees with ip -s xfrm policy field by field', { skip }, async () => {
  const ns = createNetns('xfrm');
  ip(ns, 'link', 'add', 'xv0', 'type', 'veth', 'peer', 'name', 'xv1');
  ipBatch(ns, POLICIES);
  const links = ipJson<{ ifindex: number; ifname: string }[]>(ns, 'link', 'show');
  const ifname = (i: number): string | null => links.find((l) => l.ifindex === i)?.ifname ?? null;
  const h = new Handle({ netns: ns });
  try {
    const all = await h.xfrmPolicyList();
    const oracle = parseIpPolicies(ip(ns, '-s', 'xfrm', 'policy'));
    assert.equal(all.length, POLICIES.length);
    assert.equal(oracle.length, all.length);
    all.forEach((p, i) => assertPolicyMatches(p, oracle[i], ifname));

    // Spot checks in nlwrap's own terms.
    const v6out = all.find((p) => p.family === FAMILY_V6 && p.dir === 1)!;
    assert.deepEqual([v6out.ifid, v6out.mark, v6out.priority], [9, { value: 0x20, mask: 0xf0 }, 5]);
    assert.equal(v6out.tmpls[0].dst, '2001:db8::');
    const v4in = all.find((p) => p.dstPort === 443)!;
    assert.deepEqual([v4in.srcPort, v4in.tmpls.length, v4in.tmpls[1].spi], [1234, 2, 0x100]);
    assert.equal(all.find((p) => p.src === '10.6.0.0/24')?.ifindex, links.find((l) => l.ifname === 'xv0')?.ifindex);

    // Family filtering, as vishvananda: by the selector's family.
    const v4 = await h.xfrmPolicyList(FAMILY_V4);
    const v6 = await h.xfrmPolicyList(FAMILY_V6);
    assert.deepEqual(
      v4,
      all.filter((p) => p.family === FAMILY_V4),
    );
    assert.deepEqual(
      v6,
      all.filter((p) => p.family === FAMILY_V6),
    );
    assert.equal(v4.length + v6.length, all.length);
    assert.deepEqual(await h.xfrmPolicyList(FAMILY_ALL), all);
    // No ESP/AH on this kernel: no states, and the dump still works.
    assert.deepEqual(await h.xfrmStateList(), []);

    // The CLI.
    let out = '';
    assert.equal(await main(['xfrm-policies', '--netns', ns], (s) => (out += s)), 0);
    assert.equal(out.trim().split('\n').length, POLICIES.length + 1);
    assert.match(out, /fwd\s+10\.3\.0\.0\/16\s+0\.0\.0\.0\/0\s+udp\s+53\s+-\s+block/);
    out = '';
    assert.equal(await main(['xfrm-policies', '--netns', ns, '--json', '--family', 'inet6'], (s) => (out += s)), 0);
    assert.equal(JSON.parse(out).length, v6.length);
  } finally {
    h.close();
  }
});

test('bad family arguments reject, never throw', { skip }, async () => {
  const h = new Handle({ families: [6] });
  try {
    for (const [bad, type] of [
      [3, RangeError],
      ['4', TypeError],
      [null, TypeError],
      [2.5, RangeError],
    ] as const) {
      let p: Promise<unknown> | undefined;
      assert.doesNotThrow(() => (p = h.xfrmPolicyList(bad as number)));
      await assert.rejects(p!, (e: unknown) => e instanceof type && /family/.test((e as Error).message));
      await assert.rejects(h.xfrmStateList(bad as number), type);
    }
  } finally {
    h.close();
  }
  await assert.rejects(h.xfrmPolicyList(), { code: 'ERR_HANDLE_CLOSED' });
  const route = new Handle({ families: [0] });
  await assert.rejects(route.xfrmStateList(), { code: 'ERR_FAMILY_NOT_OPEN' });
  route.close();
  // Package level (default handle, caller's namespace): read-only.
  assert.ok(Array.isArray(await xfrmPolicyList(FAMILY_V4)));
});

test('2 000 policies dump completely and match ip', { skip }, async (t) => {
  const ns = createNetns('xfrm2k');
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const a = `10.${100 + (i >> 8)}.${i & 255}`;
    lines.push(
      `xfrm policy add src ${a}.0/24 dst 172.16.${i & 255}.${i >> 8}/32 dir ${['in', 'out', 'fwd'][i % 3]} priority ${i} tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid ${i} mode tunnel`,
    );
  }
  ipBatch(ns, lines);
  const h = new Handle({ netns: ns, families: [6] });
  try {
    await h.xfrmPolicyList(); // warm-up
    const times: number[] = [];
    let list = await h.xfrmPolicyList();
    for (let k = 0; k < 5; k++) {
      const t0 = process.hrtime.bigint();
      list = await h.xfrmPolicyList();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    t.diagnostic(`xfrmPolicyList, 2000 policies: median ${times[2].toFixed(2)} ms (min ${times[0].toFixed(2)})`);
    assert.equal(list.length, 2000);
    const oracle = parseIpPolicies(ip(ns, '-s', 'xfrm', 'policy'));
    assert.equal(oracle.length, 2000);
    for (let i = 0; i < 2000; i += 97) assertPolicyMatches(list[i], oracle[i]);
    assert.deepEqual(new Set(list.map((p) => p.priority)).size, 2000);
  } finally {
    h.close();
  }
});
