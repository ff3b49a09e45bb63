// Proves that ConntrackFilter addresses mean what Go's net package says they
// mean, and that filtering a dump in the kernel never changes a result:
// - IPv4-mapped addresses and prefixes follow net.ParseCIDR +
//   IPNet.Contains (the table below was printed by Go 1.19's net package):
//   '::ffff:10.0.0.0/8' is ::/8 and contains no IPv4 address, a mapped
//   prefix of 96 or more is an IPv4 network; in matchConntrackFlow and, on
//   the real kernel, in conntrackListFiltered / conntrackDeleteFilters, which
//   must not delete one IPv4 flow more;
// - zoned IPv6 addresses (fe80::1%eth0) are refused, as net.ParseIP does;
// - more than 4 096 filters reject with RangeError before any request;
// - in a namespace with IPv4 and IPv6 flows from many addresses, exact
//   address filters of every IP type, alone and with protocol and ports, in
//   each family, select exactly what matchConntrackFlow selects on the full
//   table (the kernel's IPv6 CTA_FILTER returns the wrong flows on 6.18, so
//   it must not be used), and the deletes remove exactly those;
// - addZone(0) matches a flow in a directional zone (no CTA_ZONE), which the
//   kernel's zone-0 filter would leave out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConntrackFilter,
  ConntrackOrigDstIP,
  ConntrackOrigDstPort,
  ConntrackOrigSrcIP,
  ConntrackOrigSrcPort,
  ConntrackReplyAnyIP,
  ConntrackReplyDstIP,
  ConntrackReplySrcIP,
  ConntrackTable,
  FAMILY_ALL,
  FAMILY_V4,
  FAMILY_V6,
  Handle,
  type ConntrackFlow,
} from '../../lib/index';
import { conntrackCli, ctInsert } from '../helpers/conntrack';
import { createNetns, deleteNetns, isRoot } from '../helpers/netns';

const skip = !isRoot && 'needs root';

/** A flow with only what matching reads; IPv6 when the source has a colon. */
function flowFrom(src: string): ConntrackFlow {
  const v6 = src.includes(':');
  const dst = v6 ? '2001:db8:ffff::1' : '192.0.2.1';
  const t = (s: string, d: string): object => ({ srcIp: s, dstIp: d, protocol: 17, srcPort: 1, dstPort: 2 });
  return {
    familyType: v6 ? 10 : 2,
    forward: t(src, dst),
    reverse: t(dst, src),
    mark: 0,
    zone: 0,
    status: 0,
    labels: null,
  } as unknown as ConntrackFlow;
}

// Go 1.19: _, n, _ := net.ParseCIDR(cidr); n.Contains(flowIP), with the
// flow's IP as vishvananda parses it (4 bytes for IPv4 flows, 16 for IPv6).
const V4 = ['10.1.2.3', '11.0.0.1'];
const V6 = ['::5', '::a01:203', '2001:db8::1', '::ffff:10.1.2.3', '::fffe:1:2', '::ff00:0:1'];
const GO_CONTAINS: [cidr: string, contained: string[]][] = [
  ['::ffff:10.0.0.0/8', ['::5', '::a01:203', '::fffe:1:2', '::ff00:0:1']], // ::/8
  ['::ffff:10.0.0.0/88', ['::fffe:1:2', '::ff00:0:1']], // ::ff00:0:0/88
  ['::ffff:10.0.0.0/95', ['::fffe:1:2']], // ::fffe:0:0/95
  ['::ffff:10.0.0.0/96', ['10.1.2.3', '11.0.0.1', '::ffff:10.1.2.3']], // 0.0.0.0/0
  ['::ffff:0:0/96', ['10.1.2.3', '11.0.0.1', '::ffff:10.1.2.3']], // 0.0.0.0/0
  ['::ffff:10.0.0.0/104', ['10.1.2.3', '::ffff:10.1.2.3']], // 10.0.0.0/8
  ['::ffff:10.1.2.3/128', ['10.1.2.3', '::ffff:10.1.2.3']], // 10.1.2.3/32
  ['10.0.0.0/8', ['10.1.2.3', '::ffff:10.1.2.3']],
  ['0.0.0.0/0', ['10.1.2.3', '11.0.0.1', '::ffff:10.1.2.3']],
  ['::/0', ['::5', '::a01:203', '2001:db8::1', '::fffe:1:2', '::ff00:0:1']],
];

test('addIpNet follows Go net.ParseCIDR and IPNet.Contains for IPv4-mapped addresses and prefixes', () => {
  for (const [cidr, contained] of GO_CONTAINS) {
    const f = new ConntrackFilter().addIpNet(ConntrackOrigSrcIP, cidr);
    for (const ip of [...V4, ...V6])
      assert.equal(f.matchConntrackFlow(flowFrom(ip)), contained.includes(ip), `${cidr} contains ${ip}`);
  }
  // vishvananda's AddIP: a mapped address is the IPv4 /32.
  const one = new ConntrackFilter().addIp(ConntrackOrigSrcIP, '::ffff:10.1.2.3');
  for (const ip of [...V4, ...V6])
    assert.equal(one.matchConntrackFlow(flowFrom(ip)), ip.endsWith('10.1.2.3'), `addIp contains ${ip}`);
});

test('zoned IPv6 addresses are refused by addIp and addIpNet, naming the argument', () => {
  const F = (): ConntrackFilter => new ConntrackFilter();
  assert.throws(() => F().addIp(ConntrackOrigSrcIP, 'fe80::1%eth0'), { name: 'RangeError', message: /addIp: ip.*zone/ });
  assert.throws(() => F().addIp(ConntrackReplyAnyIP, 'fe80::1%1'), RangeError);
  assert.throws(() => F().addIpNet(ConntrackOrigDstIP, 'fe80::%eth0/64'), {
    name: 'RangeError',
    message: /addIpNet: cidr.*zone/,
  });
  assert.throws(() => F().addIpNet(ConntrackOrigDstIP, '::ffff:10.0.0.1%lo/128'), RangeError);
  assert.ok(F().addIp(ConntrackOrigSrcIP, 'fe80::1') instanceof ConntrackFilter, 'the same address without a zone is fine');
});

test('more than 4 096 filters reject with RangeError before anything is sent', { skip }, async () => {
  const ns = createNetns('ctmany');
  const h = new Handle({ netns: ns });
  try {
    ctInsert(ns, ['ct family=4 proto=6 src=10.4.0.1 dst=10.4.0.2 sport=1 dport=2']);
    const many = (n: number): ConntrackFilter[] => Array.from({ length: n }, (_, i) => new ConntrackFilter().addMark(i + 1));
    const calls = h.stats.calls;
    await assert.rejects(h.conntrackDeleteFilters(ConntrackTable, FAMILY_ALL, ...many(4097)), {
      name: 'RangeError',
      message: /at most 4096 filters/,
    });
    await assert.rejects(h.conntrackListFiltered(ConntrackTable, FAMILY_ALL, ...many(5000)), RangeError);
    const custom = Array.from({ length: 4097 }, () => ({ matchConntrackFlow: () => true }));
    await assert.rejects(h.conntrackDeleteFilters(ConntrackTable, FAMILY_ALL, ...custom), RangeError);
    assert.equal(h.stats.calls, calls, 'nothing was sent');
    // 4 096 is allowed, and the addon agrees.
    assert.deepEqual(await h.conntrackListFiltered(ConntrackTable, FAMILY_ALL, ...many(4096)), []);
    assert.equal(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_ALL, ...many(4096)), 0);
    assert.equal(Number(conntrackCli(ns, ['-C']).trim()), 1, 'the flow (mark 0) is still there');
  } finally {
    h.close();
    deleteNetns(ns);
  }
});

/** Flows from many addresses, both families, some with NAT-style reply tuples. */
function fixture(): string[] {
  const lines: string[] = [];
  for (let i = 1; i <= 48; i++) {
    const proto = [17, 6, 132][i % 3];
    const ports = `sport=${1000 + i} dport=${[53, 80, 5060][i % 3]}`;
    // The flows of the report: sources ::1, ::2, ... (and 10.5.0.1, ...).
    lines.push(`ct family=6 proto=${proto} src=::${i.toString(16)} dst=::${(0x100 + (i % 4)).toString(16)} ${ports}`);
    lines.push(`ct family=4 proto=${proto} src=10.5.0.${i} dst=10.5.1.${i % 4} ${ports}`);
    lines.push(`ct family=6 proto=${proto} src=2001:db8:5::${i.toString(16)} dst=2001:db8:6::${i % 4} ${ports}`);
  }
  for (let i = 1; i <= 8; i++) {
    // Reply tuples that are not the swapped original (DNAT).
    lines.push(
      `ct family=6 proto=17 src=2001:db8:7::${i} dst=2001:db8:8::1 sport=${2000 + i} dport=53 rsrc=2001:db8:9::${i % 2} rdst=2001:db8:7::${i} rsport=53 rdport=${2000 + i}`,
    );
    lines.push(
      `ct family=4 proto=17 src=10.7.0.${i} dst=10.8.0.1 sport=${2000 + i} dport=53 rsrc=10.9.0.${i % 2} rdst=10.7.0.${i} rsport=53 rdport=${2000 + i}`,
    );
  }
  // IPv6 flows with IPv4-mapped and IPv4-compatible addresses.
  lines.push('ct family=6 proto=17 src=::ffff:10.1.2.3 dst=::ffff:10.1.2.4 sport=3000 dport=53');
  lines.push('ct family=6 proto=17 src=::a01:203 dst=::a01:204 sport=3001 dport=53');
  return lines;
}

const idOf = (f: ConntrackFlow): string =>
  `${f.familyType}|${f.forward.protocol}|${f.forward.srcIp}|${f.forward.dstIp}|${f.forward.srcPort}|${f.forward.dstPort}`;
const inFamily = (f: ConntrackFlow, family: number): boolean => family === FAMILY_ALL || f.familyType === family;

test('kernel-side filters never change a result: exact addresses of every IP type, both families', { skip }, async (t) => {
  const ns = createNetns('ctexact');
  const h = new Handle({ netns: ns });
  try {
    ctInsert(ns, fixture());
    const all = await h.conntrackTableList(ConntrackTable, FAMILY_ALL);
    const expected = (family: number, f: ConntrackFilter): string[] =>
      all
        .filter((x) => inFamily(x, family) && f.matchConntrackFlow(x))
        .map(idOf)
        .sort();
    const TYPES: [string, number][] = [
      ['orig src', ConntrackOrigSrcIP],
      ['orig dst', ConntrackOrigDstIP],
      ['reply src', ConntrackReplySrcIP],
      ['reply dst', ConntrackReplyDstIP],
      ['reply any', ConntrackReplyAnyIP],
    ];
    // For each type an address that some flows have there.
    const ADDRS: Record<string, string[]> = {
      'orig src': ['::1', '::5', '2001:db8:5::2f', '10.5.0.1', '10.5.0.5'],
      'orig dst': ['::101', '2001:db8:6::3', '10.5.1.1'],
      'reply src': ['::102', '2001:db8:9::1', '10.9.0.1', '10.5.1.2'],
      'reply dst': ['::7', '2001:db8:7::3', '10.7.0.3', '10.5.0.7'],
      'reply any': ['::9', '2001:db8:9::0', '10.5.0.9', '10.9.0.0'],
    };
    let checked = 0;
    for (const [label, type] of TYPES) {
      for (const ip of ADDRS[label]) {
        const v6 = ip.includes(':');
        const variants: [string, () => ConntrackFilter][] = [
          ['alone', () => new ConntrackFilter().addIp(type, ip)],
          ['+ udp', () => new ConntrackFilter().addIp(type, ip).addProtocol(17)],
          ['+ tcp dport 80', () => new ConntrackFilter().addIp(type, ip).addProtocol(6).addPort(ConntrackOrigDstPort, 80)],
          // The kernel ignores SCTP ports in CTA_FILTER: it must only send more.
          ['+ sctp sport 1005', () => new ConntrackFilter().addIp(type, ip).addProtocol(132).addPort(ConntrackOrigSrcPort, 1005)],
        ];
        for (const family of [FAMILY_ALL, FAMILY_V4, FAMILY_V6]) {
          for (const [what, make] of variants) {
            const want = expected(family, make());
            const got = (await h.conntrackListFiltered(ConntrackTable, family, make())).map(idOf).sort();
            assert.deepEqual(got, want, `${label} ${ip} ${what}, family ${family}`);
            checked++;
          }
          // The filter alone in its own family must find something.
          if (family === (v6 ? FAMILY_V6 : FAMILY_V4))
            assert.ok(expected(family, variants[0][1]()).length > 0, `${label} ${ip} is in the table`);
        }
      }
    }
    t.diagnostic(`${checked} filtered listings agree with matchConntrackFlow over the full table`);

    // The kernel still filters exact IPv4 addresses: fewer messages than flows.
    const before = h.stats.messagesReceived;
    assert.equal(
      (await h.conntrackListFiltered(ConntrackTable, FAMILY_V4, new ConntrackFilter().addIp(ConntrackOrigSrcIP, '10.5.0.1')))
        .length,
      1,
    );
    assert.ok(h.stats.messagesReceived - before < 5, 'the IPv4 address filter ran in the kernel');

    // The report's case: exact IPv6 source, FAMILY_V6, deletes that one flow.
    const n = await h.conntrackDeleteFilters(ConntrackTable, FAMILY_V6, new ConntrackFilter().addIp(ConntrackOrigSrcIP, '::1'));
    assert.equal(n, 1);
    const after = await h.conntrackTableList(ConntrackTable, FAMILY_ALL);
    assert.deepEqual(
      after.map(idOf).sort(),
      all
        .filter((f) => f.forward.srcIp !== '::1')
        .map(idOf)
        .sort(),
      'exactly the ::1 flow is gone',
    );
    // And an exact IPv6 reply destination, with a protocol, deletes its flows.
    const rd = new ConntrackFilter().addIp(ConntrackReplyDstIP, '2001:db8:7::3').addProtocol(17);
    assert.equal(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_V6, rd), 1);
    assert.equal((await h.conntrackTableList(ConntrackTable, FAMILY_ALL)).length, all.length - 2);
  } finally {
    h.close();
    deleteNetns(ns);
  }
});

test('addZone(0) matches a flow in a directional zone, which has no CTA_ZONE', { skip }, async () => {
  const ns = createNetns('ctzone');
  const h = new Handle({ netns: ns });
  try {
    conntrackCli(ns, [
      '-I',
      '-p',
      'udp',
      '-s',
      '10.6.0.1',
      '-d',
      '10.6.0.2',
      '--sport',
      '1',
      '--dport',
      '2',
      '-t',
      '300',
      '--orig-zone',
      '7',
    ]);
    conntrackCli(ns, ['-I', '-p', 'udp', '-s', '10.6.0.3', '-d', '10.6.0.2', '--sport', '1', '--dport', '2', '-t', '300']);
    conntrackCli(ns, [
      '-I',
      '-p',
      'udp',
      '-s',
      '10.6.0.4',
      '-d',
      '10.6.0.2',
      '--sport',
      '1',
      '--dport',
      '2',
      '-t',
      '300',
      '--zone',
      '7',
    ]);
    const all = await h.conntrackTableList(ConntrackTable, FAMILY_ALL);
    const directional = all.find((f) => f.forward.srcIp === '10.6.0.1') as ConntrackFlow;
    assert.equal(directional.zone, 0, 'no CTA_ZONE: zone 0, as vishvananda reads it');
    assert.equal(directional.forward.zone, 7, 'the zone is in the original tuple');
    for (const [zone, srcs] of [
      [0, ['10.6.0.1', '10.6.0.3']],
      [7, ['10.6.0.4']],
    ] as [number, string[]][]) {
      const f = new ConntrackFilter().addZone(zone);
      assert.deepEqual(
        all
          .filter((x) => f.matchConntrackFlow(x))
          .map((x) => x.forward.srcIp)
          .sort(),
        srcs,
        `matchConntrackFlow, zone ${zone}`,
      );
      for (const family of [FAMILY_ALL, FAMILY_V4])
        assert.deepEqual(
          (await h.conntrackListFiltered(ConntrackTable, family, f)).map((x) => x.forward.srcIp).sort(),
          srcs,
          `conntrackListFiltered, zone ${zone}, family ${family}`,
        );
    }
    assert.equal(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, new ConntrackFilter().addZone(0)), 2);
    assert.deepEqual(
      (await h.conntrackTableList(ConntrackTable, FAMILY_ALL)).map((x) => x.forward.srcIp),
      ['10.6.0.4'],
    );
  } finally {
    h.close();
    deleteNetns(ns);
  }
});

test('a mapped prefix under /96 deletes what Go selects and not one IPv4 flow', { skip }, async () => {
  const ns = createNetns('ctmapped');
  const h = new Handle({ netns: ns });
  try {
    ctInsert(ns, fixture());
    const all = await h.conntrackTableList(ConntrackTable, FAMILY_ALL);
    const v4 = all
      .filter((f) => f.familyType === FAMILY_V4)
      .map(idOf)
      .sort();
    assert.ok(v4.length > 50);
    for (const [cidr, family] of [
      ['::ffff:10.0.0.0/8', FAMILY_ALL],
      ['::ffff:10.5.0.0/95', FAMILY_V6],
      ['::ffff:10.5.0.0/112', FAMILY_V4],
    ] as [string, number][]) {
      const f = new ConntrackFilter().addIpNet(ConntrackOrigSrcIP, cidr);
      const want = all
        .filter((x) => inFamily(x, family) && f.matchConntrackFlow(x))
        .map(idOf)
        .sort();
      assert.deepEqual(
        (await h.conntrackListFiltered(ConntrackTable, family, f)).map(idOf).sort(),
        want,
        `${cidr}, family ${family}`,
      );
    }
    // ::/8: the IPv6 flows whose address starts with a zero byte (::1 ...
    // ::30, and ::a01:203, printed ::10.1.2.3), and no IPv4 flow, nor the
    // IPv6 flow with a mapped source (Go's To4 makes that one IPv4).
    const f = new ConntrackFilter().addIpNet(ConntrackOrigSrcIP, '::ffff:10.0.0.0/8');
    const doomed = all
      .filter((x) => x.familyType === FAMILY_V6 && /^::[0-9a-f.]+$/.test(x.forward.srcIp as string))
      .map(idOf)
      .sort();
    assert.equal(doomed.length, 48 + 1);
    assert.equal(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_ALL, f), doomed.length, 'deleted');
    const after = await h.conntrackTableList(ConntrackTable, FAMILY_ALL);
    assert.deepEqual(
      after
        .filter((x) => x.familyType === FAMILY_V4)
        .map(idOf)
        .sort(),
      v4,
      'every IPv4 flow is still there',
    );
    assert.deepEqual(
      all
        .map(idOf)
        .filter((k) => !after.some((x) => idOf(x) === k))
        .sort(),
      doomed,
      'exactly the ::/8 flows are gone',
    );
    assert.deepEqual(
      all
        .filter((x) => f.matchConntrackFlow(x))
        .map(idOf)
        .sort(),
      doomed,
      'matchConntrackFlow selects the same',
    );
    // A mapped prefix of 96 or more is IPv4: /112 is 10.5.0.0/16.
    const n = await h.conntrackDeleteFilters(
      ConntrackTable,
      FAMILY_ALL,
      new ConntrackFilter().addIpNet(ConntrackOrigSrcIP, '::ffff:10.5.0.0/112'),
    );
    assert.equal(n, 48);
  } finally {
    h.close();
    deleteNetns(ns);
  }
});
