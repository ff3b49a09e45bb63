// Proves on records from the kernel (a live namespace with every kind of
// object this kernel makes, test/helpers/kernel-objects.ts) what
// test/unit/record-types.check.ts declares: the fields it calls always
// present are never null, the narrowed ones take only the values it lists,
// and every object has exactly its schema's fields (a link: its kind's too).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConntrackExpectTable, ConntrackTable, FAMILY_ALL, Handle, RT_FILTER_TABLE } from '../../lib/index';
import { buildKernelObjects } from '../helpers/kernel-objects';
import { createNetns, isRoot } from '../helpers/netns';
import { walkAll, type Seen } from '../helpers/record-walk';

test('what the check file declares holds on records from the kernel', { skip: !isRoot && 'needs root' }, async () => {
  const ns = createNetns('rectypes');
  buildKernelObjects(ns);
  const h = new Handle({ netns: ns });
  const seen: Seen = new Map();
  try {
    walkAll(await h.linkList(), 'link', seen, 'links');
    walkAll(await h.addrList(null, FAMILY_ALL), 'addr', seen, 'addrs');
    walkAll(await h.routeListFiltered(FAMILY_ALL, { table: 0 }, RT_FILTER_TABLE), 'route', seen, 'routes');
    walkAll(await h.xfrmPolicyList(), 'xfrm_policy', seen, 'policies');
    walkAll(await h.conntrackTableList(ConntrackTable, FAMILY_ALL), 'ct_flow', seen, 'flows');
    walkAll(await h.conntrackTableList(ConntrackExpectTable, FAMILY_ALL), 'ct_flow', seen, 'expectations');
  } finally {
    h.close();
  }
  for (const s of ['link', 'bridge', 'vxlan', 'macvlan', 'tuntap', 'bridge_port', 'addr', 'route', 'route_nexthop'])
    assert.ok(seen.has(s), `the namespace made ${s} records`);
  for (const s of ['route_cacheinfo', 'xfrm_policy', 'xfrm_tmpl', 'ct_flow', 'ct_tuple', 'ct_protoinfo'])
    assert.ok(seen.has(s), `the namespace made ${s} records`);
});
