// Proves the XFRM and conntrack event parsers on captured bytes, without
// root or a kernel: test/fixtures/xfrm/uml-6.1/events.bin is what a 6.1
// kernel multicast while `ip xfrm monitor` printed
// events-ip-xfrm-monitor.txt (an SA added, updated, deleted; a policy added
// and deleted; another SA and policy; an acquire; a soft and a hard expire;
// the SA and policy flushes). parse.xfrmEvents yields the updates
// xfrmSubscribe would, agreeing with ip's text, keys hidden; the SAs decode
// as parse.xfrmStates decodes the same SA in a dump. Conntrack events are
// built here from a dump message (the kernel sends the same layout) and
// parse as NEW, update and DELETE.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  ConntrackTable,
  IPCTNL_MSG_CT_DELETE,
  IPCTNL_MSG_CT_NEW,
  IPPROTO_ESP,
  IPPROTO_UDP,
  NFNL_SUBSYS_CTNETLINK,
  NLM_F_CREATE,
  parse,
  XFRM_MSG_ACQUIRE,
  XFRM_MSG_DELPOLICY,
  XFRM_MSG_DELSA,
  XFRM_MSG_EXPIRE,
  XFRM_MSG_FLUSHPOLICY,
  XFRM_MSG_FLUSHSA,
  XFRM_MSG_NEWPOLICY,
  XFRM_MSG_NEWSA,
  XFRM_MSG_UPDSA,
  XFRM_POLICY_OUT,
  XFRM_POLICY_TYPE_MAIN,
  type XfrmUpdate,
} from '../../lib/index';

const FIX = path.join(__dirname, '..', 'fixtures', 'xfrm', 'uml-6.1');
const A256 = '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f';
const K128 = '000102030405060708090a0b0c0d0e0f';

test("parse.xfrmEvents: a 6.1 kernel's XFRM events, as ip xfrm monitor printed them", () => {
  const u: XfrmUpdate[] = parse.xfrmEvents(fs.readFileSync(path.join(FIX, 'events.bin')));
  assert.deepEqual(
    u.map((x) => [x.kind, x.type]),
    [
      ['xfrmState', XFRM_MSG_NEWSA],
      ['xfrmState', XFRM_MSG_UPDSA],
      ['xfrmState', XFRM_MSG_DELSA],
      ['xfrmPolicy', XFRM_MSG_NEWPOLICY],
      ['xfrmPolicy', XFRM_MSG_DELPOLICY],
      ['xfrmState', XFRM_MSG_NEWSA],
      ['xfrmPolicy', XFRM_MSG_NEWPOLICY],
      ['xfrmAcquire', XFRM_MSG_ACQUIRE],
      ['xfrmExpire', XFRM_MSG_EXPIRE],
      ['xfrmExpire', XFRM_MSG_EXPIRE],
      ['xfrmFlush', XFRM_MSG_FLUSHSA],
      ['xfrmFlush', XFRM_MSG_FLUSHPOLICY],
    ],
  );
  // The SA of the first three events: added, updated, deleted (its
  // xfrm_usersa_info inside XFRMA_SA, its algorithms after it).
  for (const x of u.slice(0, 3)) {
    assert.ok(x.kind === 'xfrmState');
    const s = x.state;
    assert.deepEqual([s.src, s.dst, s.proto, s.spi, s.reqid, s.mode], ['192.0.2.1', '192.0.2.2', IPPROTO_ESP, 0x5001, 5, 1]);
    assert.equal(s.auth?.name, 'hmac(sha256)');
    assert.equal(s.auth?.truncateLen, 128);
    assert.equal(s.auth?.key.toString('hex'), A256);
    assert.equal(s.crypt?.key.toString('hex'), K128);
    assert.ok(
      !Object.keys(s.auth ?? {}).includes('key') &&
        !JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v)).includes(A256),
    );
    assert.deepEqual([s.selector.src, s.selector.dst], ['0.0.0.0/0', '0.0.0.0/0']);
  }
  const [p1, p1del] = [u[3], u[4]];
  assert.ok(p1.kind === 'xfrmPolicy' && p1del.kind === 'xfrmPolicy');
  assert.deepEqual(
    [p1.policy.src, p1.policy.dst, p1.policy.dir, p1.policy.tmpls[0].reqid],
    ['10.6.0.0/24', '10.7.0.0/24', XFRM_POLICY_OUT, 5],
  );
  assert.deepEqual(p1del.policy, p1.policy, 'the deleted policy (from XFRMA_POLICY) is the one added');

  const aead = u[5];
  assert.ok(aead.kind === 'xfrmState');
  assert.deepEqual([aead.state.dst, aead.state.aead?.name, aead.state.aead?.icvLen], ['192.0.2.7', 'rfc4106(gcm(aes))', 128]);

  const acq = u[7];
  assert.ok(acq.kind === 'xfrmAcquire');
  const a = acq.acquire;
  assert.deepEqual([a.family, a.proto, a.spi], [2, IPPROTO_ESP, 0]);
  assert.deepEqual(
    [a.selector.src, a.selector.dst, a.selector.proto, a.selector.srcPort, a.selector.dstPort],
    ['203.0.113.1/32', '203.0.113.2/32', IPPROTO_UDP, 48902, 9],
  );
  assert.deepEqual(
    [a.policy.src, a.policy.dst, a.policy.dir, a.policy.tmpls[0].reqid],
    ['203.0.113.1/32', '203.0.113.2/32', XFRM_POLICY_OUT, 55],
  );

  const [soft, hard] = [u[8], u[9]];
  assert.ok(soft.kind === 'xfrmExpire' && hard.kind === 'xfrmExpire');
  assert.deepEqual([soft.hard, hard.hard], [false, true]);
  for (const e of [soft, hard]) {
    assert.deepEqual([e.state.src, e.state.dst, e.state.spi, e.state.mode], ['192.0.2.1', '192.0.2.7', 0x5002, 0]);
    assert.equal(e.state.aead, null, 'expire messages carry no algorithms');
  }
  assert.deepEqual(u[10], { kind: 'xfrmFlush', type: XFRM_MSG_FLUSHSA, proto: 0, policyType: null });
  assert.deepEqual(u[11], { kind: 'xfrmFlush', type: XFRM_MSG_FLUSHPOLICY, proto: null, policyType: XFRM_POLICY_TYPE_MAIN });
});

test('parse.xfrmEvents: an SA decodes as parse.xfrmStates decodes it in a dump', () => {
  const dump = parse.xfrmStates(fs.readFileSync(path.join(FIX, 'getsa-esp-tunnel-v4.resp.bin')));
  assert.equal(dump.length, 1);
  // The dump's message, re-typed as a NEWSA event (the same layout).
  const msg = Buffer.from(fs.readFileSync(path.join(FIX, 'getsa-esp-tunnel-v4.resp.bin')));
  const len = msg.readUInt32LE(0);
  const ev = Buffer.from(msg.subarray(0, len));
  ev.writeUInt16LE(XFRM_MSG_NEWSA, 4);
  const [u] = parse.xfrmEvents(ev);
  assert.ok(u.kind === 'xfrmState');
  assert.deepEqual(u.state, dump[0]);
  assert.deepEqual(u.state.auth?.key, dump[0].auth?.key);
});

test('parse.conntrackEvents: NEW with NLM_F_CREATE is new, without it an update; DELETE is destroy', () => {
  // One IPv4 TCP flow message as ctnetlink lays it out (nfgenmsg + CTA_*).
  const attr = (type: number, payload: Buffer): Buffer => {
    const b = Buffer.alloc(4 + payload.length + ((4 - (payload.length % 4)) % 4));
    b.writeUInt16LE(4 + payload.length, 0);
    b.writeUInt16LE(type, 2);
    payload.copy(b, 4);
    return b;
  };
  const nest = (type: number, ...children: Buffer[]): Buffer => attr(type | 0x8000, Buffer.concat(children));
  const be16 = (v: number): Buffer => Buffer.from([v >> 8, v & 255]);
  const be32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    return b;
  };
  const tuple = (type: number, src: number[], dst: number[], sp: number, dp: number): Buffer =>
    nest(
      type,
      nest(1, attr(1, Buffer.from(src)), attr(2, Buffer.from(dst))),
      nest(2, attr(1, Buffer.from([6])), attr(2, be16(sp)), attr(3, be16(dp))),
    );
  const body = Buffer.concat([
    Buffer.from([2, 0, 0, 0]), // nfgenmsg: AF_INET, version 0, res_id 0
    tuple(1, [10, 0, 0, 1], [10, 0, 0, 2], 1000, 80),
    tuple(2, [10, 0, 0, 2], [10, 0, 0, 1], 80, 1000),
    attr(3, be32(14)), // CTA_STATUS
    attr(8, be32(7)), // CTA_MARK
    attr(12, be32(0x1234)), // CTA_ID
  ]);
  const msg = (type: number, flags: number): Buffer => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(16 + body.length, 0);
    h.writeUInt16LE((NFNL_SUBSYS_CTNETLINK << 8) | type, 4);
    h.writeUInt16LE(flags, 6);
    return Buffer.concat([h, body]);
  };
  const u = parse.conntrackEvents(
    Buffer.concat([msg(IPCTNL_MSG_CT_NEW, NLM_F_CREATE | 0x200), msg(IPCTNL_MSG_CT_NEW, 0), msg(IPCTNL_MSG_CT_DELETE, 0)]),
  );
  assert.deepEqual(
    u.map((x) => [x.event, x.type, x.table]),
    [
      ['new', IPCTNL_MSG_CT_NEW, ConntrackTable],
      ['update', IPCTNL_MSG_CT_NEW, ConntrackTable],
      ['destroy', IPCTNL_MSG_CT_DELETE, ConntrackTable],
    ],
  );
  for (const x of u) {
    assert.deepEqual(
      [x.flow.forward.srcIp, x.flow.forward.dstPort, x.flow.reverse.srcIp, x.flow.mark, x.flow.status, x.flow.id],
      ['10.0.0.1', 80, '10.0.0.2', 7, 14, 0x1234],
    );
  }
  // A dump parses DELETE messages as flows too (the same parser).
  assert.equal(parse.conntrack(msg(IPCTNL_MSG_CT_DELETE, 0)).length, 1);
});
