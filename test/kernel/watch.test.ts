// Proves the watches' contract against the real kernel: watchLinks,
// watchAddrs and watchRoutes follow storms of mixed changes (`ip -force
// -batch`) with a receive buffer so small that the kernel drops events and
// the watch must list again, several rounds each; once the churn stopped
// and the watch caught up, its contents equal a fresh dump field by field
// (bar counters, lifetimes and timers the kernel changes by itself), and
// replaying its 'change' batches onto an empty map gives the same contents.
// The number of listings each watch made is reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAMILY_ALL, RT_FILTER_TABLE, type Watch, type WatchChange } from '../../lib/index';
import { diff, openHandle, sleep, stable } from '../helpers/events';
import { createNetns, ip, ipBatchAsync, isRoot, quietIpv6 } from '../helpers/netns';

const skip = !isRoot && 'needs root';
const ROUNDS = 3;
// Asked of the kernel: it doubles it and keeps its minimum, room for a few
// messages, so every storm overflows it.
const TINY = 1;

/** A map kept only from the watch's 'change' batches. */
function mirror<T, U>(w: Watch<T, U>): Map<string, T> {
  const m = new Map<string, T>();
  w.on('change', (c: WatchChange<T>) => {
    for (const o of c.removed) {
      const k = w.keyOf(o);
      assert.ok(m.has(k), `removed ${k}, which was never added`);
      m.delete(k);
    }
    for (const o of c.added) {
      const k = w.keyOf(o);
      assert.ok(!m.has(k), `added ${k} twice`);
      m.set(k, o);
    }
    for (const { previous, current } of c.updated) {
      const k = w.keyOf(current);
      assert.equal(m.get(k), previous, `updated ${k}: previous is what was held`);
      m.set(k, current);
    }
  });
  return m;
}

/**
 * Waits until the watch holds exactly what `list` returns, field by field
 * (stable fields), and its mirror the same objects; fails with the
 * differences after `ms`.
 */
async function caughtUp<T, U>(
  what: string,
  w: Watch<T, U>,
  m: Map<string, T>,
  list: () => Promise<T[]>,
  kind: 'link' | 'addr' | 'route',
  ms = 8000,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const listed = new Map((await list()).map((o) => [w.keyOf(o), o]));
    const problems: string[] = [];
    for (const [k, o] of listed) {
      const held = w.get(k);
      if (held === undefined) problems.push(`${k}: missing`);
      else {
        const d = diff(stable(kind, held), stable(kind, o));
        if (d.length) problems.push(`${k}: ${d.join('; ')}`);
      }
    }
    for (const k of w.keys()) if (!listed.has(k)) problems.push(`${k}: held but gone`);
    if (m.size !== w.size || [...w.entries()].some(([k, o]) => m.get(k) !== o)) problems.push('the change batches do not add up');
    if (problems.length === 0 && !w.closed) return;
    if (w.error) throw w.error;
    if (Date.now() > deadline) assert.fail(`${what}: the watch differs from a fresh dump:\n${problems.slice(0, 20).join('\n')}`);
    await sleep(50);
  }
}

/** A small deterministic random source, so a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

test('watchLinks stays exact through storms of link changes that force re-lists', { skip }, async (t) => {
  const ns = createNetns('watch');
  const h = openHandle(t, { netns: ns });
  const w = h.watchLinks({ receiveBufferSize: TINY });
  const m = mirror(w);
  await w.ready;
  const r = rng(15);
  for (let round = 0; round < ROUNDS; round++) {
    const lines: string[] = [`link add br${round} type bridge`, `link set br${round} up`];
    for (let i = 0; i < 250; i++) {
      const a = `r${round}v${r(40)}`;
      const b = `r${round}p${r(40)}`;
      const any = (): string => `r${round}${r(2) ? 'v' : 'p'}${r(40)}`;
      switch (r(9)) {
        case 0:
        case 1:
          lines.push(`link add ${a} type veth peer name ${b}`);
          break;
        case 2:
          lines.push(`link set ${any()} mtu ${1280 + r(200)}`);
          break;
        case 3:
          lines.push(`link set ${any()} up`);
          break;
        case 4:
          lines.push(`link set ${any()} down`);
          break;
        case 5:
          // With the link up: on a link that is down the kernel changes the
          // alias without any message (netdev_state_change() only tells of
          // running links), which no cache built on messages can see.
          lines.push(`link set ${any()} up alias alias-${r(1000)}`);
          break;
        case 6:
          lines.push(`link set ${any()} master br${round}`, `link set ${any()} nomaster`);
          break;
        case 7:
          lines.push(`link set ${a} name r${round}n${r(1000)}`);
          break;
        default:
          lines.push(`link del ${any()}`);
      }
    }
    await ipBatchAsync(ns, lines, true);
    ip(ns, 'link', 'add', `sent${round}`, 'type', 'bridge');
    await caughtUp(`links, round ${round}`, w, m, () => h.linkList(), 'link');
  }
  t.diagnostic(`watchLinks: ${w.stats.listings} listings (${w.stats.lossMarkers} loss markers) in ${ROUNDS} rounds`);
  assert.ok(w.stats.listings >= 1 + ROUNDS, `re-listed at least once a round (${w.stats.listings} listings)`);
  w.close();
  h.close();
});

test('watchLinks stays exact without any loss: veth peers, bridge ports and their bridge', { skip }, async (t) => {
  // What the kernel changes without a message of the link's own: a new
  // veth's peer is announced before the pair is joined, a port's STP state
  // is told only in AF_BRIDGE messages, a bridge's GSO/TSO limits and id
  // follow its ports silently. With no loss to cover them, the watch must
  // list again by itself.
  const ns = createNetns('watch');
  const h = openHandle(t, { netns: ns });
  const w = h.watchLinks();
  const m = mirror(w);
  await w.ready;
  const steps: string[][] = [
    ['link add br0 type bridge', 'link set br0 up', 'link add va type veth peer name vb'],
    ['link set va master br0', 'link set va up', 'link set vb up'],
    ['link add vc type veth peer name vd', 'link set vc master br0', 'link set vc up'],
    ['link set va nomaster'],
    ['link set vc nomaster', 'link del vd'],
  ];
  for (const [i, lines] of steps.entries()) {
    await ipBatchAsync(ns, lines);
    await caughtUp(`step ${i}: ${lines.join(', ')}`, w, m, () => h.linkList(), 'link', 3000);
  }
  assert.equal(w.stats.lossMarkers, 0, 'no loss');
  w.close();
  h.close();
});

test('watchAddrs stays exact through storms of address changes that force re-lists', { skip }, async (t) => {
  const ns = createNetns('watch');
  quietIpv6(ns);
  for (let i = 0; i < 4; i++) {
    ip(ns, 'link', 'add', `a${i}`, 'type', 'veth', 'peer', 'name', `b${i}`);
    ip(ns, 'link', 'set', `a${i}`, 'up');
  }
  const h = openHandle(t, { netns: ns });
  const w = h.watchAddrs({ receiveBufferSize: TINY });
  const m = mirror(w);
  await w.ready;
  const r = rng(16);
  for (let round = 0; round < ROUNDS; round++) {
    const lines: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const dev = `a${r(4)}`;
      const life = r(3) === 0 ? ` valid_lft ${100 + r(100)} preferred_lft ${r(100)}` : '';
      const v4 = `10.${r(4)}.${r(8)}.${1 + r(50)}/${r(2) ? 24 : 16}`;
      const v6 = `2001:db8:${r(4)}::${(1 + r(200)).toString(16)}/64`;
      switch (r(7)) {
        case 0:
        case 1:
          lines.push(`addr add ${v4} dev ${dev}${life}`);
          break;
        case 2:
        case 3:
          lines.push(`addr add ${v6} dev ${dev} nodad${life}`);
          break;
        case 4:
          lines.push(`addr del ${v4} dev ${dev}`);
          break;
        case 5:
          lines.push(`addr del ${v6} dev ${dev}`);
          break;
        default:
          lines.push(`addr change ${r(2) ? v4 : v6} dev ${dev} valid_lft ${200 + r(100)} preferred_lft ${r(200)}`);
      }
    }
    // A link going down drops its IPv6 addresses; one deleted takes all.
    lines.push(`link set a${round} down`, `link set a${round} up`, `link del b3`, `link add a3 type veth peer name b3`);
    lines.push('link set a3 up');
    await ipBatchAsync(ns, lines, true);
    ip(ns, 'addr', 'add', `192.0.2.${round + 1}/32`, 'dev', 'a0');
    await caughtUp(`addresses, round ${round}`, w, m, () => h.addrList(null, FAMILY_ALL), 'addr');
  }
  t.diagnostic(`watchAddrs: ${w.stats.listings} listings (${w.stats.lossMarkers} loss markers) in ${ROUNDS} rounds`);
  assert.ok(w.stats.listings >= 1 + ROUNDS, `re-listed at least once a round (${w.stats.listings} listings)`);
  w.close();
  h.close();
});

test(
  'watchRoutes stays exact without any loss: carrier, link and address changes that change routes silently',
  { skip },
  async (t) => {
    // IPv4 flushes routes when their link goes down or away or their source
    // address goes, and marks next hops dead or linkdown (and back) when a
    // link or its carrier changes, all without a message; IPv6 reports
    // linkdown from the link's state at dump time. With no loss to cover
    // them, the watch must list again by itself.
    const ns = createNetns('watch');
    quietIpv6(ns);
    const setup = ['link add a0 type veth peer name b0', 'link add a1 type veth peer name b1'];
    for (const l of ['a0', 'b0', 'a1', 'b1']) setup.push(`link set ${l} up`);
    setup.push('addr add 10.0.0.1/16 dev a0', 'addr add 10.1.0.1/16 dev a1', 'addr add 2001:db8::1/64 dev a0 nodad');
    await ipBatchAsync(ns, setup);
    const h = openHandle(t, { netns: ns });
    const main = h.watchRoutes();
    const all = h.watchRoutes({ filter: { table: 0 }, filterMask: RT_FILTER_TABLE });
    const mm = mirror(main);
    const ma = mirror(all);
    await Promise.all([main.ready, all.ready]);
    const steps: string[][] = [
      [
        'route add 172.16.0.0/24 via 10.0.0.2',
        'route add 172.16.1.0/24 nexthop via 10.0.0.3 nexthop via 10.1.0.3',
        'route add 172.16.2.0/24 via 10.1.0.2 table 100',
        'route add 2001:db8:9::/64 via 2001:db8::9',
      ],
      ['link set b0 down'], // a0 loses its carrier
      ['link set b0 up'],
      ['link set a0 down'],
      ['link set a0 up'],
      // (IPv6 dropped a0's address when it went down.)
      [
        'route add 172.16.0.0/24 via 10.0.0.2',
        'addr add 2001:db8::1/64 dev a0 nodad',
        'route add 2001:db8:9::/64 via 2001:db8::9',
      ],
      ['addr del 10.1.0.1/16 dev a1'],
      ['addr add 10.1.0.1/16 dev a1', 'route add 172.16.3.0/24 via 10.1.0.2 table 100'],
      ['link del a1'],
    ];
    for (const [i, lines] of steps.entries()) {
      await ipBatchAsync(ns, lines);
      const what = `step ${i}: ${lines.join(', ')}`;
      await caughtUp(`${what} (main)`, main, mm, () => h.routeListFiltered(FAMILY_ALL, null, 0), 'route', 3000);
      await caughtUp(
        `${what} (all)`,
        all,
        ma,
        () => h.routeListFiltered(FAMILY_ALL, { table: 0 }, RT_FILTER_TABLE),
        'route',
        3000,
      );
    }
    assert.equal(main.stats.lossMarkers + all.stats.lossMarkers, 0, 'no loss');
  },
);

test('watchRoutes stays exact through storms of route changes, flushes included, that force re-lists', { skip }, async (t) => {
  const ns = createNetns('watch');
  quietIpv6(ns);
  for (let i = 0; i < 3; i++) {
    ip(ns, 'link', 'add', `a${i}`, 'type', 'veth', 'peer', 'name', `b${i}`);
    for (const l of [`a${i}`, `b${i}`]) ip(ns, 'link', 'set', l, 'up');
    ip(ns, 'addr', 'add', `10.${i}.0.1/16`, 'dev', `a${i}`);
    ip(ns, 'addr', 'add', `2001:db8:${i}::1/64`, 'dev', `a${i}`, 'nodad');
  }
  const h = openHandle(t, { netns: ns });
  const main = h.watchRoutes({ receiveBufferSize: TINY });
  const all = h.watchRoutes({ receiveBufferSize: TINY, filter: { table: 0 }, filterMask: RT_FILTER_TABLE });
  const mm = mirror(main);
  const ma = mirror(all);
  await Promise.all([main.ready, all.ready]);
  const r = rng(17);
  for (let round = 0; round < ROUNDS; round++) {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const k = r(3);
      const table = r(4) === 0 ? ' table 100' : '';
      const metric = r(3) === 0 ? ` metric ${r(3)}` : '';
      const v4 = `172.${16 + r(4)}.${r(30)}.0/24`;
      const v6 = `2001:db8:f${r(4)}:${r(30).toString(16)}::/64`;
      switch (r(8)) {
        case 0:
        case 1:
          lines.push(`route add ${v4} via 10.${k}.0.${2 + r(9)}${table}${metric}`);
          break;
        case 2:
          lines.push(`route replace ${v4} via 10.${k}.0.${2 + r(9)}${table}${metric}`);
          break;
        case 3:
          lines.push(`route add ${v6} via 2001:db8:${k}::${(2 + r(9)).toString(16)}${table}${metric}`);
          break;
        case 4:
          lines.push(`route replace ${v6} via 2001:db8:${k}::${(2 + r(9)).toString(16)}${table}${metric}`);
          break;
        case 5:
          lines.push(`route add ${v4}${table} nexthop via 10.${k}.0.9 nexthop via 10.${(k + 1) % 3}.0.9`);
          break;
        case 6:
          lines.push(`route del ${v4}${table}${metric}`);
          break;
        default:
          lines.push(`route del ${v6}${table}${metric}`);
      }
    }
    // Flushed without a message per route: a link going down, an address
    // removed (its subnet's routes go with it), both restored.
    const dev = `a${round % 3}`;
    lines.push(`link set ${dev} down`, `link set ${dev} up`);
    lines.push(`addr del 10.${round % 3}.0.1/16 dev ${dev}`, `addr add 10.${round % 3}.0.1/16 dev ${dev}`);
    // Three writers at once: faster than one reader drains a tiny buffer.
    const third = Math.ceil(lines.length / 3);
    await Promise.all([0, 1, 2].map((k) => ipBatchAsync(ns, lines.slice(k * third, (k + 1) * third), true)));
    ip(ns, 'route', 'add', `198.51.100.${round}/32`, 'dev', 'a0');
    await caughtUp(`main table, round ${round}`, main, mm, () => h.routeListFiltered(FAMILY_ALL, null, 0), 'route');
    await caughtUp(
      `every table, round ${round}`,
      all,
      ma,
      () => h.routeListFiltered(FAMILY_ALL, { table: 0 }, RT_FILTER_TABLE),
      'route',
    );
  }
  for (const [name, w] of [
    ['main', main],
    ['all tables', all],
  ] as const)
    t.diagnostic(`watchRoutes (${name}): ${w.stats.listings} listings (${w.stats.lossMarkers} loss markers) in ${ROUNDS} rounds`);
  assert.ok(main.stats.listings >= 1 + ROUNDS, `re-listed at least once a round (${main.stats.listings} listings)`);
  main.close();
  all.close();
  h.close();
});
