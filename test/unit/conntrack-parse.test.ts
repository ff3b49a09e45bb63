// Proves the conntrack parser (parse.conntrack, src-native/parse_conntrack.cc)
// on crafted bytes (test/helpers/ctnetlink-msg.ts): flows and expectations
// decode big-endian, by attribute type in any order; malformed bytes are
// EBADMSG. The same messages feed the fake kernel of conntrack-retry.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetlinkError, parse } from '../../lib/index';
import { be32, CT_NEW, EXP_NEW, flowMsg, nest, nfgen, tuple } from '../helpers/ctnetlink-msg';
import { attr, done, msg, NLM_F_MULTI } from '../helpers/netlink-msg';

const PORT = 4242;

test('parse.conntrack decodes crafted flows and expectations; malformed bytes are EBADMSG', () => {
  const exp = msg(
    { type: EXP_NEW, flags: NLM_F_MULTI, seq: 1, pid: PORT },
    Buffer.concat([
      nfgen(2),
      attr(6, Buffer.from('ftp\0')),
      tuple(1, '10.0.0.1', '10.0.0.2', 6, 2000, 21),
      tuple(2, '10.0.0.1', '10.0.0.2', 6, 0, 4000),
      tuple(3, '255.255.255.255', '255.255.255.255', 6, 0, 0xffff),
      attr(4, be32(250)),
      attr(5, be32(77)),
    ]),
  );
  const bytes = Buffer.concat([flowMsg(1, PORT, { sport: 1000, dport: 80, id: 9, zone: 4 }), exp, done(1, PORT)]);
  const [flow, e] = parse.conntrack(bytes);
  assert.equal(flow.familyType, 2);
  assert.deepEqual(
    { ...flow.forward },
    {
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.2',
      protocol: 6,
      srcPort: 1000,
      dstPort: 80,
      icmpType: null,
      icmpCode: null,
      icmpId: null,
      zone: null,
      bytes: 700n,
      packets: 5n,
    },
  );
  assert.equal(flow.reverse.srcPort, 80);
  assert.equal(flow.reverse.bytes, null);
  assert.equal(flow.id, 9);
  assert.equal(flow.zone, 4);
  assert.equal(flow.mark, 16);
  assert.equal(flow.status, 0xe);
  assert.equal(flow.timeOut, 300);
  assert.equal(flow.timeStart, 123n);
  assert.equal(flow.timeStop, 456n);
  assert.equal(flow.labels, null);
  assert.equal(e.helper, 'ftp');
  assert.equal(e.forward.dstPort, 21);
  assert.equal(e.reverse.dstPort, 4000);
  assert.equal(e.expectMask?.dstPort, 0xffff);
  assert.equal(e.timeOut, 250);
  assert.equal(e.id, 77);
  assert.equal(e.status, null);

  // A truncated attribute, an attribute running past its message, a short IP.
  const good = flowMsg(1, PORT, { sport: 1, dport: 2, id: 3 });
  const cut = Buffer.from(good);
  cut.writeUInt16LE(0xfff0, 20); // first attribute's length
  const shortIp = msg(
    { type: CT_NEW, flags: NLM_F_MULTI, seq: 1, pid: PORT },
    Buffer.concat([nfgen(2), nest(1, nest(1, attr(1, Buffer.from([10, 0]))))]),
  );
  for (const bad of [cut, shortIp, good.subarray(0, good.length - 3)])
    assert.throws(
      () => parse.conntrack(bad),
      (err: unknown) => err instanceof NetlinkError && err.code === 'EBADMSG',
    );
});
