// Proves the XFRM parsers on real kernel bytes, without root or a kernel:
// captured 6.1 (user-mode Linux) and 6.18 (host) replies in
// test/fixtures/xfrm/ decode to exactly what `ip [-s [-s]] xfrm state|policy`
// printed for the same objects, field by field (keys, ESN bitmap, encap,
// marks, lifetimes, selectors and templates, v4 and v6); key material never
// shows in JSON, util.inspect, the CLI (unless --show-keys) or error
// messages; DUMP_INTR on XFRM messages is seen; truncated and corrupted
// bytes give EBADMSG, never a crash or an overread.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import util from 'node:util';
import { binding } from '../../lib/binding';
import { formatStates, statesJson } from '../../lib/cli/xfrm';
import * as nlwrap from '../../lib/index';
import { NetlinkError, parse, XFRM_INF } from '../../lib/index';
import { assertPolicyMatches, assertStateMatches, parseIpPolicies, parseIpStates } from '../helpers/ipxfrm';

// iproute2 printed add times in the capture machine's local time: UTC.
process.env.TZ = 'UTC';

const dir = path.join(__dirname, '..', 'fixtures', 'xfrm');
const bin = (k: string, f: string): Buffer => fs.readFileSync(path.join(dir, k, `${f}.bin`));
const txt = (k: string, f: string): string => fs.readFileSync(path.join(dir, k, f), 'utf8');
// Every key in the captures, as hex (ip prints them): none may leak.
const KEYS = [...new Set([...txt('uml-6.1', 'ip-s-xfrm-state.txt').matchAll(/ 0x([0-9a-f]{16,})/g)].map((m) => m[1]))];

test('constants come from the uapi headers', () => {
  assert.equal(XFRM_INF, 2n ** 64n - 1n);
  assert.deepEqual([nlwrap.XFRM_POLICY_IN, nlwrap.XFRM_POLICY_OUT, nlwrap.XFRM_POLICY_FWD], [0, 1, 2]);
  assert.deepEqual([nlwrap.XFRM_POLICY_ALLOW, nlwrap.XFRM_POLICY_BLOCK], [0, 1]);
  assert.deepEqual([nlwrap.XFRM_MODE_TRANSPORT, nlwrap.XFRM_MODE_TUNNEL, nlwrap.XFRM_MODE_BEET], [0, 1, 4]);
  assert.deepEqual([nlwrap.IPPROTO_ESP, nlwrap.IPPROTO_AH, nlwrap.IPPROTO_COMP], [50, 51, 108]);
  assert.equal(nlwrap.XFRM_STATE_ESN, 128);
  assert.equal(nlwrap.XFRM_STATE_AF_UNSPEC, 32);
  assert.ok(binding.ops.includes('xfrm.policy.dump') && binding.ops.includes('xfrm.state.dump'));
});

test('6.1 state dump agrees with ip -s xfrm state, ip -s -s and plain ip', () => {
  const states = parse.xfrmStates(bin('uml-6.1', 'getsa-dump.resp'));
  assert.equal(states.length, 9);
  for (const f of ['ip-s-xfrm-state.txt', 'ip-s-s-xfrm-state.txt', 'ip-xfrm-state.txt']) {
    const oracle = parseIpStates(txt('uml-6.1', f));
    assert.equal(oracle.length, states.length, f);
    states.forEach((s, i) => assertStateMatches(s, oracle[i]));
  }
  // The points that matter most, spelled out.
  const tunnel = states.find((s) => s.spi === 0x1001)!;
  assert.deepEqual(tunnel.mark, { value: 0x10, mask: 0xff });
  assert.equal(tunnel.limits.byteSoft, 1_000_000n);
  assert.equal(tunnel.limits.byteHard, XFRM_INF);
  assert.equal(tunnel.limits.packetHard, 5_000_000n);
  assert.equal(tunnel.auth?.truncateLen, 128); // AUTH and AUTH_TRUNC both came: one auth
  assert.equal(tunnel.auth?.key.length, 32);
  assert.deepEqual(tunnel.replay, { oSeq: 0, seq: 0, bitMap: 0 });
  assert.equal(tunnel.selector.family, 0); // added without sel: read with the SA's family
  assert.equal(tunnel.selector.dst, '0.0.0.0/0');
  const v6 = states.find((s) => s.spi === 0x2001)!;
  assert.equal(v6.dst, '2001:db8::2'); // trailing zero bytes, still IPv6
  assert.equal(v6.esn, true);
  assert.equal(v6.replay, null);
  assert.equal(v6.replayEsn?.replayWindow, 128);
  assert.equal(v6.replayEsn?.bmp.length, 16);
  const udp = states.find((s) => s.spi === 0x3001)!;
  assert.deepEqual(udp.encap, { type: nlwrap.UDP_ENCAP_ESPINUDP, srcPort: 4500, dstPort: 4500, originalAddress: '0.0.0.0' });
  assert.deepEqual(udp.outputMark, { value: 0x20, mask: 0xff });
  assert.equal(udp.ifid, 7);
  assert.equal(udp.dontEncapDscp, true);
  assert.equal(udp.aead?.icvLen, 128);
  const comp = states.find((s) => s.proto === nlwrap.IPPROTO_COMP)!;
  assert.equal(comp.comp?.name, 'deflate');
  const gcm = states.find((s) => s.spi === 0x1002)!;
  assert.deepEqual([gcm.selector.proto, gcm.selector.dstPort], [nlwrap.IPPROTO_TCP, 443]);
});

test('single-SA replies and filtered dumps parse; ESRCH is an error', () => {
  const one = parse.xfrmStates(bin('uml-6.1', 'getsa-esp-tunnel-v4.resp'));
  assert.deepEqual(
    one.map((s) => s.spi),
    [0x1001],
  );
  assert.equal(parse.xfrmStates(bin('uml-6.1', 'getsa-esp-v6.resp'))[0].src, '2001:db8::1');
  assert.deepEqual(
    parse.xfrmStates(bin('uml-6.1', 'getsa-dump-proto-ah.resp')).map((s) => s.proto),
    [51, 51],
  );
  assert.ok(parse.xfrmStates(bin('uml-6.1', 'getsa-dump-filter-v4.resp')).every((s) => s.family === 2));
  assert.deepEqual(parse.xfrmStates(bin('host-6.18', 'getsa-dump-empty.resp')), []);
  for (const k of ['uml-6.1', 'host-6.18'])
    assert.throws(
      () => parse.xfrmStates(bin(k, 'getsa-missing-esrch.resp')),
      (e: unknown) => e instanceof NetlinkError && e.code === 'ESRCH',
    );
});

for (const kernel of ['uml-6.1', 'host-6.18']) {
  test(`${kernel} policy dump agrees with ip -s xfrm policy and plain ip`, () => {
    const policies = parse.xfrmPolicies(bin(kernel, 'getpolicy-dump.resp'));
    assert.equal(policies.length, 5);
    for (const f of ['ip-s-xfrm-policy.txt', 'ip-xfrm-policy.txt']) {
      const oracle = parseIpPolicies(txt(kernel, f));
      assert.equal(oracle.length, policies.length, f);
      policies.forEach((p, i) => assertPolicyMatches(p, oracle[i]));
    }
    const fwd = policies.find((p) => p.dir === nlwrap.XFRM_POLICY_FWD)!;
    assert.deepEqual([fwd.action, fwd.proto, fwd.srcPort, fwd.tmpls], [nlwrap.XFRM_POLICY_BLOCK, nlwrap.IPPROTO_UDP, 53, []]);
    const v6 = policies.find((p) => p.family === 10)!;
    assert.deepEqual(
      v6.tmpls.map((t) => [t.proto, t.optional]),
      [
        [108, 1],
        [50, 0],
      ],
    );
    assert.equal(policies.find((p) => p.ifid === 7)?.policyType, nlwrap.XFRM_POLICY_TYPE_SUB);
  });
}

test('key material stays out of JSON, inspect, the CLI and spreads unless asked', () => {
  const states = parse.xfrmStates(bin('uml-6.1', 'getsa-dump.resp'));
  assert.ok(KEYS.length >= 5);
  const leaks = (s: string): string[] => KEYS.filter((k) => s.includes(k));
  const json = JSON.stringify(states, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  assert.deepEqual(leaks(json), [], 'JSON.stringify');
  assert.deepEqual(leaks(util.inspect(states, { depth: 10 })), [], 'util.inspect');
  assert.deepEqual(leaks(JSON.stringify({ ...states[8].auth })), [], 'spread');
  assert.deepEqual(leaks(formatStates(states, false)), [], 'CLI table');
  assert.deepEqual(leaks(statesJson(states, false)), [], 'CLI --json');
  // Still there when read, and printed on request.
  assert.equal(states[8].auth?.key.toString('hex'), '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f');
  assert.deepEqual(leaks(formatStates(states, true)).sort(), [...KEYS].sort(), 'CLI table --show-keys');
  assert.deepEqual(leaks(statesJson(states, true)).sort(), [...KEYS].sort(), 'CLI --json --show-keys');
});

/** Sets NLM_F_DUMP_INTR on the message at `off`. */
function flagIntr(buf: Buffer, off: number): Buffer {
  const b = Buffer.from(buf);
  b.writeUInt16LE(b.readUInt16LE(off + 6) | 0x10, off + 6);
  return b;
}

test('NLM_F_DUMP_INTR on an XFRM message or on DONE is reported', () => {
  const sa = bin('uml-6.1', 'getsa-dump.resp');
  assert.equal(binding.parse('xfrmStates', sa).interrupted, false);
  assert.equal(binding.parse('xfrmStates', flagIntr(sa, 256)).interrupted, true);
  assert.equal(binding.parse('xfrmStates', flagIntr(sa, 3712)).interrupted, true); // NLMSG_DONE
  const sp = bin('host-6.18', 'getpolicy-dump.resp');
  assert.equal(binding.parse('xfrmPolicies', flagIntr(sp, 0)).interrupted, true);
  assert.equal(parse.xfrmPolicies(flagIntr(sp, 0)).length, 5);
});

/** fn() returns, or throws a NetlinkError (EBADMSG unless anyCode: a flipped type can make an NLMSG_ERROR). */
function badMsg(fn: () => unknown, anyCode = false): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof NetlinkError, String(e));
    if (!anyCode) assert.equal(e.code, 'EBADMSG', e.message);
    assert.deepEqual(
      KEYS.filter((k) => e.message.includes(k)),
      [],
    );
    return;
  }
}

test('truncated and corrupted XFRM replies give EBADMSG, never a crash', () => {
  const sa = bin('uml-6.1', 'getsa-dump.resp');
  const sp = bin('uml-6.1', 'getpolicy-dump.resp');
  // Every truncation: an error, or the messages before the cut.
  for (let n = 0; n < sa.length; n += 3) badMsg(() => parse.xfrmStates(sa.subarray(0, n)));
  for (let n = 0; n < sp.length; n += 3) badMsg(() => parse.xfrmPolicies(sp.subarray(0, n)));
  // A message cut inside its fixed header: nlmsg_len says so.
  const short = Buffer.from(sa.subarray(0, 256));
  short.writeUInt32LE(100, 0);
  assert.throws(() => parse.xfrmStates(short.subarray(0, 100)), { code: 'EBADMSG' });
  // An algorithm whose key length (bits) runs past its attribute: the
  // tunnel SA's XFRMA_ALG_AUTH at 3136 + 16 + 224.
  const key = Buffer.from(sa);
  const authAt = 3136 + 16 + 224;
  assert.equal(key.readUInt16LE(authAt + 2), 1);
  key.writeUInt32LE(100_000, authAt + 4 + 64);
  assert.throws(
    () => parse.xfrmStates(key),
    (e: unknown) =>
      e instanceof NetlinkError &&
      e.code === 'EBADMSG' &&
      /key longer/.test(e.message) &&
      !KEYS.some((k) => e.message.includes(k)),
  );
  // An ESN bitmap longer than its attribute: the v6 SA's XFRMA_REPLAY_ESN_VAL.
  const esn = Buffer.from(sa);
  let at = 1696 + 16 + 224;
  while (esn.readUInt16LE(at + 2) !== 23) at += (esn.readUInt16LE(at) + 3) & ~3;
  esn.writeUInt32LE(1 << 20, at + 4);
  assert.throws(() => parse.xfrmStates(esn), /bitmap longer/);
  // A template attribute that is not a whole number of templates.
  const tm = Buffer.from(sp);
  at = 16 + 168;
  while (tm.readUInt16LE(at + 2) !== 5) at += (tm.readUInt16LE(at) + 3) & ~3;
  tm.writeUInt16LE(tm.readUInt16LE(at) - 8, at);
  assert.throws(() => parse.xfrmPolicies(tm), { code: 'EBADMSG' });
  // Attribute length past the message.
  const over = Buffer.from(sp);
  over.writeUInt16LE(0xfff0, 16 + 168);
  assert.throws(() => parse.xfrmPolicies(over), { code: 'EBADMSG' });
  // Random byte flips: anything but a crash.
  let seed = 7;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(i % 2 ? sa : sp);
    for (let k = 0; k < 4; k++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      b[seed % b.length] = seed >>> 24;
    }
    badMsg(() => (i % 2 ? parse.xfrmStates(b) : parse.xfrmPolicies(b)), true);
  }
  assert.throws(() => parse.xfrmStates('nope' as unknown as Buffer), TypeError);
});
