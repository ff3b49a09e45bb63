// Proves xfrmSubscribe on the host kernel (which has XFRM policies but no
// ESP/AH/IPComp, so SAs and their expiry are proved in the 6.1 guest, see
// test/guest/xfrm-events.test.ts), in fresh namespaces:
// - policy add, update, delete (by selector and by index) and flush arrive
//   as XFRM_MSG_NEWPOLICY / UPDPOLICY / DELPOLICY / FLUSHPOLICY, each policy
//   decoded as xfrmPolicyList decodes it (IPv4 and IPv6, mark, if_id,
//   templates);
// - traffic that matches a policy whose template has no SA raises an
//   XFRM_MSG_ACQUIRE naming the wanted SA, the packet's selector and the
//   policy; flushing the larval SA it left is an XFRM_MSG_FLUSHSA;
// - the family option and the groups select natively; listExisting lists
//   first; bad options throw before any socket is opened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FAMILY_V6,
  Handle,
  IPPROTO_ESP,
  IPPROTO_UDP,
  XFRM_MSG_ACQUIRE,
  XFRM_MSG_DELPOLICY,
  XFRM_MSG_FLUSHPOLICY,
  XFRM_MSG_FLUSHSA,
  XFRM_MSG_NEWPOLICY,
  XFRM_MSG_UPDPOLICY,
  XFRM_POLICY_OUT,
  XFRM_POLICY_TYPE_MAIN,
  type XfrmPolicy,
  type XfrmUpdate,
} from '../../lib/index';
import { collect, isMarker, updatesOf } from '../helpers/events';
import { createNetns, deleteNetns, inNs, ip, ipBatch, isRoot } from '../helpers/netns';

const skip = !isRoot && 'needs root';

/** A policy without what the kernel changes by itself (its lifetime counters). */
function stable(p: XfrmPolicy): unknown {
  return { ...p, statistics: null };
}

const P4 =
  'src 10.60.0.0/24 dst 10.61.0.0/24 proto tcp dport 443 dir out priority 100 mark 0x10 mask 0xff if_id 7 tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 5 mode tunnel';
const P6 =
  'src 2001:db8:60::/64 dst 2001:db8:61::/64 dir in priority 50 tmpl src 2001:db8::1 dst 2001:db8::2 proto esp reqid 6 mode tunnel';

test('policy add, update, delete and flush arrive decoded as xfrmPolicyList decodes them', { skip }, async () => {
  const ns = createNetns('xpe');
  const h = new Handle({ netns: ns, families: [6] });
  const sub = h.xfrmSubscribe({ groups: ['policy'] });
  const v6 = h.xfrmSubscribe({ family: FAMILY_V6 });
  try {
    ipBatch(ns, [`xfrm policy add ${P4}`, `xfrm policy add ${P6}`]);
    const added = updatesOf(await collect(sub, (u) => updatesOf(u).length >= 2));
    const listed = await h.xfrmPolicyList();
    assert.equal(added.length, 2);
    for (const u of added) {
      assert.equal(u.kind, 'xfrmPolicy');
      assert.equal(u.type, XFRM_MSG_NEWPOLICY);
      if (u.kind !== 'xfrmPolicy') continue;
      const l = listed.find((p) => p.index === u.policy.index);
      assert.ok(l);
      assert.deepEqual(stable(u.policy), stable(l));
    }
    const p4 = listed.find((p) => p.family === 2) as XfrmPolicy;
    assert.deepEqual([p4.ifid, p4.mark, p4.tmpls[0].reqid, p4.proto, p4.dstPort], [7, { value: 0x10, mask: 0xff }, 5, 6, 443]);

    ip(ns, 'xfrm', 'policy', 'update', ...P4.replace('priority 100', 'priority 7').split(' '));
    const [upd] = updatesOf(await collect(sub, (u) => updatesOf(u).length >= 1));
    assert.equal(upd.type, XFRM_MSG_UPDPOLICY);
    const relisted = await h.xfrmPolicyList();
    assert.ok(upd.kind === 'xfrmPolicy');
    assert.equal(upd.policy.priority, 7);
    assert.deepEqual(stable(upd.policy), stable(relisted.find((p) => p.index === upd.policy.index) as XfrmPolicy));

    // Deleted by selector, then by index: the event carries the whole policy.
    ip(
      ns,
      'xfrm',
      'policy',
      'delete',
      'src',
      '10.60.0.0/24',
      'dst',
      '10.61.0.0/24',
      'proto',
      'tcp',
      'dport',
      '443',
      'dir',
      'out',
      'mark',
      '0x10',
      'mask',
      '0xff',
      'if_id',
      '7',
    );
    const p6 = relisted.find((p) => p.family === FAMILY_V6) as XfrmPolicy;
    ip(ns, 'xfrm', 'policy', 'delete', 'index', String(p6.index), 'dir', 'in');
    const deleted = updatesOf(await collect(sub, (u) => updatesOf(u).length >= 2));
    assert.deepEqual(
      deleted.map((u) => u.type),
      [XFRM_MSG_DELPOLICY, XFRM_MSG_DELPOLICY],
    );
    const [d4, d6] = deleted.map((u) => (u.kind === 'xfrmPolicy' ? u.policy : null));
    assert.deepEqual(stable(d4 as XfrmPolicy), stable(relisted.find((p) => p.family === 2) as XfrmPolicy));
    assert.deepEqual(stable(d6 as XfrmPolicy), stable(p6));

    ipBatch(ns, [`xfrm policy add ${P4}`, 'xfrm policy flush']);
    const flushed = updatesOf(await collect(sub, (u) => updatesOf(u).length >= 2));
    assert.deepEqual(flushed[1], {
      kind: 'xfrmFlush',
      type: XFRM_MSG_FLUSHPOLICY,
      proto: null,
      policyType: XFRM_POLICY_TYPE_MAIN,
    });

    // The IPv6 subscription saw the IPv6 policy's add and delete, and the flush.
    const six = updatesOf(await collect(v6, (u) => updatesOf(u).length >= 3));
    assert.deepEqual(
      six.map((u) => [u.type, u.kind === 'xfrmPolicy' ? u.policy.family : null]),
      [
        [XFRM_MSG_NEWPOLICY, FAMILY_V6],
        [XFRM_MSG_DELPOLICY, FAMILY_V6],
        [XFRM_MSG_FLUSHPOLICY, null],
      ],
    );
  } finally {
    sub.close();
    v6.close();
    h.close();
    deleteNetns(ns);
  }
});

test('traffic without an SA raises an acquire; the larval SA is flushed', { skip }, async () => {
  const ns = createNetns('xacq');
  const h = new Handle({ netns: ns, families: [6] });
  ipBatch(ns, [
    'link add a0 type veth peer name a1',
    'addr add 10.62.0.1/24 dev a0',
    'link set a0 up',
    'link set a1 up',
    'xfrm policy add src 10.62.0.1/32 dst 10.62.0.2/32 proto udp dir out priority 10 tmpl src 10.62.0.1 dst 10.62.0.2 proto esp reqid 9 mode tunnel',
  ]);
  const sub = h.xfrmSubscribe({ groups: ['acquire', 'sa'] });
  try {
    const [policy] = await h.xfrmPolicyList();
    inNs(ns, 'bash', ['-c', 'echo x > /dev/udp/10.62.0.2/9999 || true']);
    const got = updatesOf(await collect(sub, (u) => updatesOf(u).length >= 1));
    assert.ok(!got.some(isMarker));
    const acq = got.find((u) => u.kind === 'xfrmAcquire');
    assert.ok(acq && acq.kind === 'xfrmAcquire', `an acquire: ${JSON.stringify(got.map((u) => u.kind))}`);
    assert.equal(acq.type, XFRM_MSG_ACQUIRE);
    const a = acq.acquire;
    assert.deepEqual([a.family, a.src, a.dst, a.proto, a.spi], [2, '10.62.0.1', '10.62.0.2', IPPROTO_ESP, 0]);
    assert.ok(a.seq > 0);
    assert.deepEqual(
      [a.selector.src, a.selector.dst, a.selector.proto, a.selector.dstPort],
      ['10.62.0.1/32', '10.62.0.2/32', IPPROTO_UDP, 9999],
    );
    assert.equal(a.policy.dir, XFRM_POLICY_OUT);
    assert.deepEqual(stable(a.policy), stable(policy));

    ip(ns, 'xfrm', 'state', 'flush');
    const more = updatesOf(await collect(sub, (u) => u.some((x) => !isMarker(x) && x.kind === 'xfrmFlush')));
    const flush = more.find((u) => u.kind === 'xfrmFlush');
    assert.ok(flush && flush.kind === 'xfrmFlush');
    assert.equal(flush.type, XFRM_MSG_FLUSHSA);
    assert.equal(flush.policyType, null);
  } finally {
    sub.close();
    h.close();
    deleteNetns(ns);
  }
});

test('xfrmSubscribe: listExisting first, then live', { skip }, async () => {
  const ns = createNetns('xls');
  const h = new Handle({ netns: ns, families: [6] });
  ipBatch(ns, [`xfrm policy add ${P4}`]);
  const sub = h.xfrmSubscribe({ listExisting: true });
  try {
    const first = await collect(sub, (u) => u.some((x) => isMarker(x)), 10_000, 0);
    assert.equal(first.length, 2);
    assert.equal((first[0] as XfrmUpdate).type, XFRM_MSG_NEWPOLICY);
    assert.deepEqual(first[1], { kind: 'listed', count: 1 });
    ipBatch(ns, [`xfrm policy add ${P6}`]);
    const live = updatesOf(await collect(sub, (u) => updatesOf(u).length >= 1));
    assert.deepEqual(
      live.map((u) => (u.kind === 'xfrmPolicy' ? u.policy.family : null)),
      [FAMILY_V6],
    );
  } finally {
    sub.close();
    h.close();
    deleteNetns(ns);
  }
});

test('xfrmSubscribe rejects bad options before opening anything', () => {
  const h = new Handle({ families: [6] });
  try {
    assert.throws(() => h.xfrmSubscribe({ groups: [] }), RangeError);
    assert.throws(() => h.xfrmSubscribe({ groups: ['sa', 'sa'] }), RangeError);
    assert.throws(() => h.xfrmSubscribe({ groups: ['states' as 'sa'] }), RangeError);
    assert.throws(() => h.xfrmSubscribe({ family: 7 }), RangeError);
    assert.throws(() => h.xfrmSubscribe({ filters: [] } as never), TypeError);
  } finally {
    h.close();
  }
});
