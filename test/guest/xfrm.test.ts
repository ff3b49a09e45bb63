// Runs inside the user-mode-Linux guest (test/uml), kernel 6.1 with ESP, AH
// and IPComp: proves xfrmStateList agrees field by field with `ip -s xfrm
// state` for an ESP tunnel cbc(aes)+hmac(sha256) with mark, reqid, replay
// window and lifetimes; ESP transport rfc4106(gcm(aes)) with a port
// selector; AH v4 and v6; ESP v6 with ESN and replay window 128 (dst
// 2001:db8::); ESP-in-UDP with if_id, output mark and extra flags; IPComp and
// its IPIP SA; a larval allocspi SA. Family filtering; keys only with
// --show-keys in the CLI; xfrmStateStream yields the same states. Real
// counters: UDP through an ESP tunnel between two namespaces over veth,
// checked against ip. And dumps under state churn.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { main } from '../../lib/cli';
import { FAMILY_V4, FAMILY_V6, Handle, IPPROTO_COMP, IPPROTO_IPIP, type XfrmState } from '../../lib/index';
import { createNetns, inNs, ip, ipBatch } from '../helpers/netns';
import { assertPolicyMatches, assertStateMatches, parseIpPolicies, parseIpStates } from '../helpers/ipxfrm';

const K128 = '0x000102030405060708090a0b0c0d0e0f';
const K256 = '0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const A256 = '0x202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f';
const A160 = '0x606162636465666768696a6b6c6d6e6f70717273';
const G160 = '0x404142434445464748494a4b4c4d4e4f50515253';

const STATES = [
  `xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 reqid 101 mode tunnel replay-window 32 replay-seq 0x5 replay-oseq 0x6 flag noecn flag af-unspec mark 0x10 mask 0xff auth-trunc hmac(sha256) ${A256} 128 enc cbc(aes) ${K128} limit byte-soft 1000000 limit packet-hard 5000000 limit time-soft 3000 limit time-hard 3600 tfcpad 16`,
  `xfrm state add src 192.0.2.1 dst 192.0.2.3 proto esp spi 0x1002 reqid 102 mode transport replay-window 64 replay-seq 0x10 replay-oseq 0x20 aead rfc4106(gcm(aes)) ${G160} 128 sel src 192.0.2.1 dst 192.0.2.3 proto tcp dport 443`,
  `xfrm state add src 192.0.2.1 dst 192.0.2.4 proto ah spi 0x1003 reqid 103 mode transport auth-trunc hmac(sha256) ${A256} 96`,
  `xfrm state add src 2001:db8::1 dst 2001:db8::3 proto ah spi 0x2002 reqid 202 mode transport auth-trunc hmac(sha1) ${A160} 96`,
  `xfrm state add src 2001:db8::1 dst 2001:db8:: proto esp spi 0x2001 reqid 201 mode tunnel flag esn replay-window 128 auth-trunc hmac(sha256) ${A256} 128 enc cbc(aes) ${K256}`,
  `xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x3001 reqid 301 mode tunnel aead rfc4106(gcm(aes)) ${G160} 128 encap espinudp 4500 4501 0.0.0.0 if_id 0x7 output-mark 0x20 mask 0xff extra-flag dont-encap-dscp`,
  'xfrm state add src 192.0.2.1 dst 192.0.2.5 proto comp spi 0x4001 mode tunnel comp deflate',
  'xfrm state allocspi src 192.0.2.1 dst 192.0.2.6 proto esp mode tunnel reqid 106 min 0x7000 max 0x7fff',
];

test('xfrmStateList agrees with ip -s xfrm state field by field (kernel 6.1)', async () => {
  const ns = createNetns('xsa');
  ipBatch(ns, STATES);
  const h = new Handle({ netns: ns, families: [6] });
  try {
    const all = await h.xfrmStateList();
    const oracle = parseIpStates(ip(ns, '-s', 'xfrm', 'state'));
    assert.equal(all.length, STATES.length + 1); // + the IPIP SA IPComp made
    assert.equal(oracle.length, all.length);
    all.forEach((s, i) => assertStateMatches(s, oracle[i]));

    const by = (spi: number): XfrmState => all.find((s) => s.spi === spi)!;
    assert.deepEqual(by(0x1001).replay, { oSeq: 6, seq: 5, bitMap: 0 });
    assert.deepEqual(
      [by(0x1002).replayEsn?.seq, by(0x1002).replayEsn?.oSeq, by(0x1002).replayEsn?.replayWindow],
      [0x10, 0x20, 64],
    );
    assert.deepEqual([by(0x2001).dst, by(0x2001).esn, by(0x2001).replayEsn?.bmpLen], ['2001:db8::', true, 4]);
    assert.deepEqual([by(0x3001).ifid, by(0x3001).outputMark, by(0x3001).encap?.dstPort], [7, { value: 0x20, mask: 0xff }, 4501]);
    assert.ok(all.some((s) => s.proto === IPPROTO_COMP) && all.some((s) => s.proto === IPPROTO_IPIP));
    assert.equal(by(0x1003).auth?.key.toString('hex'), A256.slice(2));

    const v4 = await h.xfrmStateList(FAMILY_V4);
    const v6 = await h.xfrmStateList(FAMILY_V6);
    assert.deepEqual(
      v4.map((s) => s.spi),
      all.filter((s) => s.family === FAMILY_V4).map((s) => s.spi),
    );
    assert.deepEqual(
      v6.map((s) => s.spi),
      all.filter((s) => s.family === FAMILY_V6).map((s) => s.spi),
    );
    assert.deepEqual(v6.map((s) => s.spi).sort(), [0x2001, 0x2002]);

    // The CLI: no key unless --show-keys.
    const run = async (...args: string[]): Promise<string> => {
      let out = '';
      assert.equal(await main(['xfrm-states', '--netns', ns, ...args], (s) => (out += s)), 0);
      return out;
    };
    for (const out of [await run(), await run('--json')]) assert.ok(!out.includes(A256.slice(2)) && !out.includes(G160.slice(2)));
    for (const out of [await run('--show-keys'), await run('--json', '--show-keys')])
      assert.ok(out.includes(A256.slice(2)) && out.includes(G160.slice(2)));
    assert.equal(JSON.parse(await run('--json', '--family', 'inet6')).length, 2);
  } finally {
    h.close();
  }
});

test('xfrmStateStream yields what xfrmStateList returns, keys included (kernel 6.1)', async () => {
  const ns = createNetns('xsst');
  const lines = [...STATES];
  for (let i = 0; i < 600; i++)
    lines.push(
      `xfrm state add src 192.0.2.1 dst 198.18.${i >> 8}.${i & 0xff} proto ah spi ${0x10000 + i} mode transport auth-trunc hmac(sha256) ${A256} 96`,
    );
  ipBatch(ns, lines);
  const h = new Handle({ netns: ns, families: [6] });
  try {
    for (const family of [undefined, FAMILY_V4, FAMILY_V6]) {
      const listed = await h.xfrmStateList(family);
      const batches: XfrmState[][] = [];
      for await (const b of h.xfrmStateStream(family)) batches.push(b);
      const streamed = batches.flat();
      if (family !== FAMILY_V6) assert.ok(batches.length >= 2, `${batches.length} batches`);
      assert.deepStrictEqual(streamed, listed);
      // The keys are not enumerable: compared on their own.
      assert.deepStrictEqual(
        streamed.map((st) => [st.auth?.key, st.crypt?.key, st.aead?.key]),
        listed.map((st) => [st.auth?.key, st.crypt?.key, st.aead?.key]),
      );
    }
    assert.equal((await h.xfrmStateList()).length, STATES.length + 1 + 600);
  } finally {
    h.close();
  }
});

test('real counters: UDP through an ESP tunnel between two namespaces', async () => {
  const a = createNetns('xa');
  const b = createNetns('xb');
  // One ip process per namespace: process start-up is slow under UML.
  const sa = `xfrm state add src 192.168.77.1 dst 192.168.77.2 proto esp spi 0xa001 reqid 9 mode tunnel auth-trunc hmac(sha256) ${A256} 128 enc cbc(aes) ${K128}`;
  ipBatch(a, [
    `link add va type veth peer name vb netns ${b}`,
    'addr add 192.168.77.1/24 dev va',
    'link set va up',
    sa,
    'xfrm policy add src 192.168.77.1/32 dst 192.168.77.2/32 proto udp dir out tmpl src 192.168.77.1 dst 192.168.77.2 proto esp reqid 9 mode tunnel',
  ]);
  ipBatch(b, ['addr add 192.168.77.2/24 dev vb', 'link set vb up', sa]);
  // Seven datagrams via bash's /dev/udp (no ping or netcat on this system).
  inNs(a, 'bash', ['-c', 'for i in 1 2 3 4 5 6 7; do echo "packet $i" > /dev/udp/192.168.77.2/9999; done']);
  const ha = new Handle({ netns: a, families: [6] });
  const hb = new Handle({ netns: b, families: [6] });
  try {
    const [out] = await ha.xfrmStateList();
    const [inb] = await hb.xfrmStateList();
    assert.equal(out.statistics.packets, 7n);
    assert.equal(inb.statistics.packets, 7n);
    assert.ok(out.statistics.bytes > 7n * 20n, `bytes ${out.statistics.bytes}`);
    assert.equal(inb.statistics.bytes, out.statistics.bytes);
    assert.ok(out.statistics.useTime > 0n);
    assertStateMatches(out, parseIpStates(ip(a, '-s', 'xfrm', 'state'))[0]);
    assertStateMatches(inb, parseIpStates(ip(b, '-s', 'xfrm', 'state'))[0]);
    // The policy's own counters move too (as ip shows them).
    const [pol] = await ha.xfrmPolicyList();
    assertPolicyMatches(pol, parseIpPolicies(ip(a, '-s', 'xfrm', 'policy'))[0]);
  } finally {
    ha.close();
    hb.close();
  }
});

test('state dumps under churn: complete results, retry policy applied', async (t) => {
  const ns = createNetns('xchurn');
  const lines: string[] = [];
  for (let i = 0; i < 100; i++)
    lines.push(
      `xfrm state add src 10.9.${i >> 8}.${i & 255} dst 10.8.0.1 proto esp spi ${0x10000 + i} mode tunnel enc cbc(aes) ${K128} auth-trunc hmac(sha256) ${A256} 128`,
    );
  ipBatch(ns, lines);
  const churn = spawn(
    'bash',
    [
      '-c',
      `while :; do ip -n ${ns} xfrm state add src 10.7.0.1 dst 10.8.0.1 proto esp spi 0x99 mode tunnel enc cbc\\(aes\\) ${K128}; ip -n ${ns} xfrm state del src 10.7.0.1 dst 10.8.0.1 proto esp spi 0x99; done`,
    ],
    { stdio: 'ignore' },
  );
  const h = new Handle({ netns: ns, families: [6], maxAttempts: 3 });
  try {
    for (let k = 0; k < 10; k++) {
      const list = await h.xfrmStateList();
      assert.ok(list.length === 100 || list.length === 101, `dump ${k}: ${list.length} states`);
    }
    const st = h.stats;
    t.diagnostic(
      `10 dumps of 100 states under churn: ${st.interruptedAttempts} interrupted attempts, ${st.exhaustedCalls} exhausted`,
    );
    assert.equal(st.calls, 10);
  } finally {
    churn.kill();
    h.close();
  }
});
