// Runs only inside the user-mode-Linux 6.1 guest (the lead's test/uml
// harness runs test/guest/*.test.ts there): the host kernel has no DCCP
// conntrack, so DCCP flows there are generic and carry no ports. Proves that
// DCCP ports are decoded and that a DCCP port filter deletes exactly the
// DCCP flows with that port (vishvananda's never match them), next to TCP,
// UDP, SCTP and UDPLite flows with the same ports, and that the list agrees
// with `conntrack -L` on this second kernel version.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConntrackFilter,
  ConntrackOrigDstPort,
  ConntrackOrigSrcPort,
  ConntrackTable,
  FAMILY_ALL,
  Handle,
  type ConntrackFlow,
} from '../../lib/index';
import { conntrackCli, ctInsert } from '../helpers/conntrack';
import { createNetns, deleteNetns } from '../helpers/netns';

const DCCP = 33;

test('DCCP ports are listed and matched (kernel 6.1 guest)', async () => {
  const ns = createNetns('gdccp');
  const lines: string[] = [];
  for (const proto of [6, 17, DCCP, 132, 136])
    for (let i = 0; i < 20; i++)
      lines.push(
        `ct family=${i % 2 ? 6 : 4} proto=${proto} src=${i % 2 ? `2001:db8::${i + 1}` : `10.0.0.${i + 1}`} dst=${i % 2 ? '2001:db8::ff' : '10.0.1.1'} sport=${5000 + i} dport=${i % 4 === 0 ? 5001 : 6000 + i}`,
      );
  ctInsert(ns, lines);
  const h = new Handle({ netns: ns });
  try {
    const flows = await h.conntrackTableList(ConntrackTable, FAMILY_ALL);
    assert.equal(flows.length, 100);
    const dccp = flows.filter((f) => f.forward.protocol === DCCP);
    assert.equal(dccp.length, 20);
    for (const f of dccp) {
      assert.equal(typeof f.forward.srcPort, 'number', 'DCCP source port decoded');
      assert.equal(f.reverse.dstPort, f.forward.srcPort);
    }
    const listed = conntrackCli(ns, ['-L', '-p', 'dccp']);
    for (const f of dccp)
      assert.ok(
        listed.includes(`sport=${f.forward.srcPort} dport=${f.forward.dstPort}`),
        `conntrack -L shows DCCP ${f.forward.srcPort}`,
      );

    const key = (f: ConntrackFlow): string => `${f.forward.protocol}|${f.forward.srcIp}|${f.forward.srcPort}`;
    const doomed = new Set(dccp.filter((f) => f.forward.dstPort === 5001).map(key));
    assert.equal(doomed.size, 5);
    const n = await h.conntrackDeleteFilters(
      ConntrackTable,
      FAMILY_ALL,
      new ConntrackFilter().addProtocol(DCCP).addPort(ConntrackOrigDstPort, 5001),
    );
    assert.equal(n, doomed.size);
    const after = await h.conntrackTableList(ConntrackTable, FAMILY_ALL);
    assert.equal(after.length, 100 - doomed.size);
    for (const f of after) assert.ok(!doomed.has(key(f)));

    // A source-port filter on DCCP, through the JS matcher of the same filter.
    const f2 = new ConntrackFilter().addProtocol(DCCP).addPort(ConntrackOrigSrcPort, 5003);
    assert.equal(after.filter((f) => f2.matchConntrackFlow(f)).length, 1);
    assert.equal(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_ALL, f2), 1);
  } finally {
    h.close();
    deleteNetns(ns);
  }
});
