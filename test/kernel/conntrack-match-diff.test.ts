// Differential test of the two conntrack matchers: ConntrackFilter's
// matchConntrackFlow (TypeScript, lib/conntrack-filter.ts) and the native
// matcher behind conntrackListFiltered / conntrackDeleteFilters
// (src-native/conntrack_filter.cc) must select the same flows.
//
// Real flows in a namespace, made varied on purpose: IPv4, IPv6 and
// IPv4-mapped / -compatible IPv6 addresses, NATed reply tuples, TCP, UDP,
// SCTP, UDPLite, ICMP and ICMPv6, marks, zones (CTA_ZONE and a
// directional zone, which has none), status bits, labels, and FTP
// expectations. Then many random filters, every condition kind alone and
// mixed (IP networks of every type and prefix, IPv4-mapped CIDRs, protocol,
// ports, labels, zone, mark/mask, status): each is listed natively
//   - alone, so the kernel-side filters apply too (they may only send more);
//   - beside an empty filter, which matches nothing but keeps the kernel
//     from filtering: the native matcher alone;
// and random sets of filters are listed as their union; the result must be
// the flows matchConntrackFlow picks from the whole table. Last, deletes by
// random filter sets remove exactly what the TS matcher picks.
// FUZZ_SEED reproduces a run (printed on failure).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConntrackExpectTable,
  ConntrackFilter,
  ConntrackMatchLabels,
  ConntrackMatchStatus,
  ConntrackOrigDstIP,
  ConntrackOrigDstPort,
  ConntrackOrigSrcIP,
  ConntrackOrigSrcPort,
  ConntrackReplyAnyIP,
  ConntrackReplyDstIP,
  ConntrackReplySrcIP,
  ConntrackTable,
  ConntrackUnmatchLabels,
  ConntrackUnmatchStatus,
  FAMILY_ALL,
  FAMILY_V4,
  FAMILY_V6,
  Handle,
  type ConntrackFlow,
} from '../../lib/index';
import { conntrackCli, ctInsert, enableLabels } from '../helpers/conntrack';
import { createNetns, deleteNetns, isRoot } from '../helpers/netns';

const skip = !isRoot && 'needs root';
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** xorshift32: reproducible from FUZZ_SEED. */
function rng(seed: number): { int(n: number): number; pick<T>(a: readonly T[]): T; chance(p: number): boolean } {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    int: (n) => next() % n,
    pick: (a) => a[next() % a.length],
    chance: (p) => next() / 2 ** 32 < p,
  };
}

const V4_POOL = ['10.0.0.1', '10.0.0.2', '10.0.1.7', '10.0.200.9', '10.1.2.3', '10.1.2.4', '192.0.2.1', '198.51.100.77'];
const V6_POOL = [
  '2001:db8::1',
  '2001:db8::2',
  '2001:db8:0:1::9',
  '2001:db8:ff::1',
  'fd00::1',
  '::ffff:10.1.2.3', // mapped: matched as IPv4
  '::ffff:10.0.0.9',
  '::a01:203', // compatible: plain IPv6
  '::1',
];
const LABELS = [
  '000102030405060708090a0b0c0d0e0f',
  'ff00000000000000000000000000000f',
  '0000000000000000000000000000ff01',
  '80000000000000000000000000000000',
  'deadbeef000000000000000000000000',
];
const MARKS = [0, 1, 2, 3, 0x10, 0x11, 0xff, 0x100, 0xdeadbeef, 0x80000000];
const STATUSES = [8, 8 | 2 | 4, 8 | 2, 8 | 4, 8 | 0x400, 8 | 2 | 4 | 0x400];
const PORTS = [0, 1, 22, 53, 80, 443, 1024, 5000, 65535];
/**
 * Protocols ct-insert can make, with what their tuples carry. DCCP is left
 * out: kernels without its conntrack module (gone in 6.16) track it without
 * ports, so its flows would clash.
 */
const PROTOS: { num: number; kind: 'ports' | 'icmp' | 'icmpv6' }[] = [
  { num: 6, kind: 'ports' },
  { num: 17, kind: 'ports' },
  { num: 132, kind: 'ports' },
  { num: 136, kind: 'ports' },
  { num: 1, kind: 'icmp' },
  { num: 58, kind: 'icmpv6' },
];

/** ct-insert lines for `n` varied flows, each tuple distinct (a distinct source port or ICMP id). */
function flowLines(r: ReturnType<typeof rng>, n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const v6 = r.chance(0.4);
    let p = r.pick(PROTOS);
    if (p.kind === 'icmp' && v6) p = PROTOS[5];
    if (p.kind === 'icmpv6' && !v6) p = PROTOS[4];
    const pool = v6 ? V6_POOL : V4_POOL;
    const src = r.pick(pool);
    let dst = r.pick(pool);
    if (dst === src) dst = pool[(pool.indexOf(src) + 1) % pool.length];
    const parts = [`ct family=${v6 ? 6 : 4} proto=${p.num} src=${src} dst=${dst}`];
    if (p.kind === 'ports') {
      const sport = 10000 + i; // unique: no two flows share a tuple
      parts.push(`sport=${sport} dport=${r.pick(PORTS)}`);
      if (r.chance(0.3)) {
        // A NATed reply: another source, the original ports swapped.
        const rsrc = r.pick(pool);
        parts.push(`rsrc=${rsrc} rdst=${src} rsport=${r.pick(PORTS)} rdport=${sport}`);
      }
    } else {
      parts.push(`icmptype=${p.kind === 'icmp' ? 8 : 128} icmpcode=0 icmpid=${i + 1}`);
    }
    if (r.chance(0.7)) parts.push(`mark=${r.pick(MARKS)}`);
    if (r.chance(0.3)) parts.push(`zone=${r.pick([0, 1, 7, 300])}`);
    parts.push(`status=${r.pick(STATUSES)}`);
    if (r.chance(0.4)) parts.push(`labels=${r.pick(LABELS)}`);
    lines.push(parts.join(' '));
  }
  return lines;
}

/** A few flows in a directional zone (no CTA_ZONE: zone 0 for both matchers). */
function origZoneFlows(ns: string): void {
  for (const [i, zone] of [7, 9, 7].entries())
    conntrackCli(ns, [
      '-I',
      '-p',
      'udp',
      '-s',
      `10.0.0.${i + 1}`,
      '-d',
      '10.1.2.3',
      '--sport',
      String(9000 + i),
      '--dport',
      '53',
      '-t',
      '3000',
      '--orig-zone',
      String(zone),
    ]);
}

const hexBytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

/** One random condition-rich filter (possibly with a single condition). */
function randomFilter(r: ReturnType<typeof rng>, flows: ConntrackFlow[]): ConntrackFilter {
  const f = new ConntrackFilter();
  const sample = (): ConntrackFlow | undefined => (flows.length ? r.pick(flows) : undefined);
  const kinds = r.int(4) + 1;
  const used = new Set<string>();
  for (let k = 0; k < kinds; k++) {
    const kind = r.pick(['ip', 'ip', 'proto', 'labels', 'zone', 'mark', 'status', 'status'] as const);
    if (used.has(kind) && kind !== 'ip' && kind !== 'status' && kind !== 'labels') continue;
    used.add(kind);
    switch (kind) {
      case 'ip': {
        const type = r.pick([
          ConntrackOrigSrcIP,
          ConntrackOrigDstIP,
          ConntrackReplySrcIP,
          ConntrackReplyDstIP,
          ConntrackReplyAnyIP,
        ]);
        if (used.has(`ip${type}`)) break;
        used.add(`ip${type}`);
        // An address some flow has somewhere, or one from the pools.
        const s = sample();
        const seen = s ? [s.forward.srcIp, s.forward.dstIp, s.reverse.srcIp, s.reverse.dstIp].filter((x) => x !== null) : [];
        const addr = r.chance(0.7) && seen.length ? (r.pick(seen) as string) : r.pick([...V4_POOL, ...V6_POOL]);
        if (addr.includes(':')) {
          // IPv6, and sometimes the IPv4 as a mapped CIDR (Go's rules).
          f.addIpNet(type, `${addr}/${r.pick([0, 8, 32, 48, 64, 96, 104, 112, 120, 127, 128])}`);
        } else if (r.chance(0.2)) {
          f.addIpNet(type, `::ffff:${addr}/${r.pick([8, 95, 96, 104, 120, 128])}`);
        } else {
          f.addIpNet(type, `${addr}/${r.pick([0, 8, 16, 23, 24, 31, 32, 32])}`);
        }
        break;
      }
      case 'proto': {
        const s = sample();
        const proto = s && r.chance(0.8) && s.forward.protocol !== null ? s.forward.protocol : r.pick(PROTOS).num;
        f.addProtocol(proto);
        if ([6, 17, 33, 132, 136].includes(proto)) {
          if (r.chance(0.4)) f.addPort(ConntrackOrigSrcPort, s && r.chance(0.5) ? (s.forward.srcPort ?? 0) : 10000 + r.int(400));
          if (r.chance(0.5)) f.addPort(ConntrackOrigDstPort, s && r.chance(0.6) ? (s.forward.dstPort ?? 0) : r.pick(PORTS));
        }
        break;
      }
      case 'labels': {
        const type = r.pick([ConntrackMatchLabels, ConntrackUnmatchLabels]);
        if (used.has(`labels${type}`)) break;
        used.add(`labels${type}`);
        // Slices of known labels: 1 to 16 bytes, so containment varies.
        const n = r.int(2) + 1;
        const ls: Buffer[] = [];
        for (let i = 0; i < n; i++) {
          const b = hexBytes(r.pick(LABELS));
          const start = r.int(16);
          ls.push(b.subarray(start, start + 1 + r.int(16 - start)));
        }
        f.addLabels(type, ls);
        break;
      }
      case 'zone':
        f.addZone(r.pick([0, 1, 7, 9, 300]));
        break;
      case 'mark': {
        const mask = r.pick([0xffffffff, 0xff, 0xf0, 0x1, 0x80000000, 0xffff0000]);
        const s = sample();
        const mark = s && r.chance(0.7) ? (s.mark ?? 0) : r.pick(MARKS);
        f.addMark((mark & mask) >>> 0, mask);
        break;
      }
      case 'status': {
        const type = r.pick([ConntrackMatchStatus, ConntrackUnmatchStatus]);
        if (used.has(`status${type}`)) break;
        used.add(`status${type}`);
        f.addStatus(type, r.pick([2, 4, 6, 8, 0x400, 0x402, 1]));
        break;
      }
    }
  }
  return f;
}

const ids = (flows: ConntrackFlow[]): number[] => flows.map((f) => f.id as number).sort((a, b) => a - b);
const inFamily = (f: ConntrackFlow, family: number): boolean => family === FAMILY_ALL || f.familyType === family;

test('the native conntrack matcher agrees with matchConntrackFlow on random filters', { skip, timeout: 180_000 }, async (t) => {
  const r = rng(SEED);
  t.diagnostic(`FUZZ_SEED=${SEED}`);
  const ns = createNetns('ctdiff');
  const h = new Handle({ netns: ns });
  try {
    enableLabels(ns);
    ctInsert(ns, flowLines(r, 600));
    origZoneFlows(ns);
    ctInsert(ns, [
      // One expectation per master: the FTP helper keeps one.
      'ct family=4 proto=6 src=10.0.0.1 dst=10.1.2.3 sport=2000 dport=21 helper=ftp mark=3',
      'ct family=4 proto=6 src=10.0.0.2 dst=10.1.2.3 sport=2002 dport=21 helper=ftp',
      'ct family=6 proto=6 src=2001:db8::1 dst=2001:db8::2 sport=2001 dport=21 helper=ftp',
      'exp family=4 proto=6 src=10.0.0.1 dst=10.1.2.3 sport=2000 dport=21 esrc=10.0.0.1 edst=10.1.2.3 esport=0 edport=4000 helper=ftp timeout=3000',
      'exp family=4 proto=6 src=10.0.0.2 dst=10.1.2.3 sport=2002 dport=21 esrc=10.0.0.2 edst=10.1.2.3 esport=0 edport=4001 helper=ftp timeout=3000',
      'exp family=6 proto=6 src=2001:db8::1 dst=2001:db8::2 sport=2001 dport=21 esrc=2001:db8::1 edst=2001:db8::2 esport=0 edport=4002 helper=ftp timeout=3000',
    ]);
    const all = await h.conntrackTableList(ConntrackTable, FAMILY_ALL);
    const exps = await h.conntrackTableList(ConntrackExpectTable, FAMILY_ALL);
    assert.equal(all.length, 606, 'every flow was made');
    assert.equal(exps.length, 3, 'every expectation was made');
    const none = new ConntrackFilter();
    const tsPick = (flows: ConntrackFlow[], family: number, fs: ConntrackFilter[]): number[] =>
      ids(flows.filter((x) => inFamily(x, family) && fs.some((f) => f.matchConntrackFlow(x))));

    let nonEmpty = 0;
    // Every listing walks the kernel's whole conntrack hash (all
    // namespaces' buckets): a few hundred keep the test to seconds.
    const FILTERS = 150;
    const SETS = 40;
    for (let i = 0; i < FILTERS; i++) {
      const f = randomFilter(r, all);
      const want = tsPick(all, FAMILY_ALL, [f]);
      if (want.length) nonEmpty++;
      const what = `filter ${i} (FUZZ_SEED=${SEED})`;
      assert.deepEqual(ids(await h.conntrackListFiltered(ConntrackTable, FAMILY_ALL, f, none)), want, `${what}, native only`);
      const family = r.pick([FAMILY_ALL, FAMILY_V4, FAMILY_V6]);
      assert.deepEqual(
        ids(await h.conntrackListFiltered(ConntrackTable, family, f)),
        tsPick(all, family, [f]),
        `${what}, family ${family}, with kernel-side filters`,
      );
      if (i % 5 === 0) {
        const g = randomFilter(r, exps);
        assert.deepEqual(
          ids(await h.conntrackListFiltered(ConntrackExpectTable, FAMILY_ALL, g, none)),
          tsPick(exps, FAMILY_ALL, [g]),
          `${what}, expectations`,
        );
      }
    }
    // The filters must select something often, or the agreement says little.
    assert.ok(nonEmpty > FILTERS / 4, `${nonEmpty} of ${FILTERS} filters matched some flow`);

    for (let i = 0; i < SETS; i++) {
      const fs = Array.from({ length: r.int(3) + 2 }, () => randomFilter(r, all));
      assert.deepEqual(
        ids(await h.conntrackListFiltered(ConntrackTable, FAMILY_ALL, ...fs)),
        tsPick(all, FAMILY_ALL, fs),
        `set ${i} of ${fs.length} filters (FUZZ_SEED=${SEED})`,
      );
    }

    // Deletes remove exactly what the TS matcher picks, and nothing else.
    let table = all;
    for (let i = 0; i < 4; i++) {
      const fs = Array.from({ length: r.int(2) + 1 }, () => randomFilter(r, table));
      const doomed = tsPick(table, FAMILY_ALL, fs);
      const n = await h.conntrackDeleteFilters(ConntrackTable, FAMILY_ALL, ...fs);
      assert.equal(n, doomed.length, `delete ${i}: count (FUZZ_SEED=${SEED})`);
      const left = await h.conntrackTableList(ConntrackTable, FAMILY_ALL);
      const gone = new Set(doomed);
      assert.deepEqual(
        ids(left),
        ids(table).filter((id) => !gone.has(id)),
        `delete ${i}: what is left`,
      );
      table = left;
    }
    t.diagnostic(`${FILTERS} filters (${nonEmpty} matching some flow), ${SETS} filter sets and 4 deletes agree`);
  } finally {
    h.close();
    deleteNetns(ns);
  }
});
