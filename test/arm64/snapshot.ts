// Prints, as JSON, what the package reads from the route socket of one
// namespace: every link, address and route, lookups and a lookup error, and
// the links of a second namespace read concurrently. test/arm64/compare.test.ts
// runs it on x64 and on arm64 (under qemu-user) and compares the two.
//   node --import tsx test/arm64/snapshot.ts NS PEER_NS
import path from 'node:path';
import nodeGypBuild from 'node-gyp-build';
import { FAMILY_ALL, FAMILY_V4, FAMILY_V6, Handle, NETLINK_ROUTE, RT_FILTER_TABLE } from '../../lib/index';

async function main(): Promise<void> {
  const [ns, peer] = process.argv.slice(2);
  // Only NETLINK_ROUTE: qemu-user refuses other netlink protocols.
  const h = new Handle({ netns: ns, families: [NETLINK_ROUTE] });
  const p = new Handle({ netns: peer, families: [NETLINK_ROUTE] });
  try {
    const [links, peerLinks] = await Promise.all([h.linkList(), p.linkList()]);
    const lo = await h.linkByName('lo');
    const snapshot = {
      arch: process.arch,
      addon: path.relative(path.join(__dirname, '..', '..'), nodeGypBuild.path(path.join(__dirname, '..', '..'))),
      links,
      peerLinks,
      lo,
      byIndex: await h.linkByIndex(lo.index),
      missing: await h.linkByName('nlw-no-such-link').catch((e: { name: string; code: string }) => [e.name, e.code]),
      addrs: await h.addrList(null, FAMILY_ALL),
      addrsOfLo: await h.addrList(lo, FAMILY_V6),
      routes4: await h.routeList(null, FAMILY_V4),
      routes6: await h.routeList(null, FAMILY_V6),
      table100: await h.routeListFiltered(FAMILY_ALL, { table: 100 }, RT_FILTER_TABLE),
    };
    process.stdout.write(JSON.stringify(snapshot, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  } finally {
    h.close();
    p.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
