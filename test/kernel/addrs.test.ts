// Proves addrList against the real kernel: in a fresh namespace, IPv4 /32 and
// /24 addresses, a secondary, a labelled alias, broadcast, point-to-point
// peers (v4 and v6), IPv6 global / link-local / finite lifetimes / nodad /
// deprecated / noprefixroute, on several links, agree field by field with
// `ip -j addr show` for (all, each link) x (all, v4, v6). Kernel-side
// filtering reads far fewer bytes for one link and gives the same result as
// client-side filtering. Under real address churn (~10 000 addresses, another
// process adding/deleting IPv4 addresses), maxAttempts 1 + 'throw' rejects
// with DumpInterruptedError and the defaults resolve with every stable
// address, the counters showing the retries. Bad input rejects, nothing sent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import {
  ADDR_LIFETIME_FOREVER,
  DumpInterruptedError,
  FAMILY_ALL,
  FAMILY_V4,
  FAMILY_V6,
  Handle,
  IFA_F_DEPRECATED,
  IFA_F_NODAD,
  IFA_F_NOPREFIXROUTE,
  IFA_F_PERMANENT,
  IFA_F_SECONDARY,
  LinkNotFoundError,
  NetlinkError,
  parse,
  type Addr,
} from '../../lib/index';
import { createNetns, ip, ipBatch, ipJson, isRoot, quietIpv6, sh } from '../helpers/netns';

const skip = !isRoot && 'needs root';

interface IpAddrInfo {
  family: string;
  local: string;
  address?: string;
  prefixlen: number;
  broadcast?: string;
  scope: string;
  label?: string;
  valid_life_time: number;
  preferred_life_time: number;
  [flag: string]: unknown;
}
interface IpAddrLink {
  ifindex: number;
  ifname: string;
  addr_info: IpAddrInfo[];
}

const SCOPES: Record<string, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const FLAGS: [string, number][] = [
  ['secondary', IFA_F_SECONDARY],
  ['temporary', IFA_F_SECONDARY],
  ['nodad', IFA_F_NODAD],
  ['deprecated', IFA_F_DEPRECATED],
  ['noprefixroute', IFA_F_NOPREFIXROUTE],
];

function agree(ours: Addr[], oracle: IpAddrLink[], what: string): void {
  const expected = oracle.flatMap((l) => l.addr_info.map((a) => ({ link: l.ifindex, a })));
  assert.equal(ours.length, expected.length, `${what}: address count`);
  const byKey = new Map(ours.map((a) => [`${a.linkIndex} ${a.ipNet} ${a.peer}`, a]));
  for (const { link, a } of expected) {
    const host = a.family === 'inet' ? 32 : 128;
    const ipNet = a.address ? `${a.local}/${host}` : `${a.local}/${a.prefixlen}`;
    const peer = a.address ? `${a.address}/${a.prefixlen}` : null;
    const k = `${link} ${ipNet} ${peer}`;
    const r = byKey.get(k);
    assert.ok(r, `${what}: we have ${k}`);
    assert.equal(r.family, a.family === 'inet' ? FAMILY_V4 : FAMILY_V6, `${k} family`);
    assert.equal(r.broadcast, a.broadcast ?? null, `${k} broadcast`);
    assert.equal(r.scope, SCOPES[a.scope] ?? Number(a.scope), `${k} scope`);
    assert.equal(r.label, a.label ?? null, `${k} label`);
    let flags = a.dynamic ? 0 : IFA_F_PERMANENT;
    for (const [name, bit] of FLAGS) if (a[name] === true) flags |= bit;
    const known = FLAGS.reduce((m, [, b]) => m | b, IFA_F_PERMANENT);
    assert.equal(r.flags & known, flags, `${k} flags`);
    for (const [ours_, theirs] of [
      [r.validLft, a.valid_life_time],
      [r.preferedLft, a.preferred_life_time],
    ] as const) {
      if (theirs === ADDR_LIFETIME_FOREVER) assert.equal(ours_, ADDR_LIFETIME_FOREVER, `${k} lifetime forever`);
      else assert.ok(ours_ !== null && Math.abs(ours_ - theirs) <= 2, `${k} lifetime ${ours_} ~ ${theirs}`);
    }
    if (typeof a.protocol === 'string')
      assert.equal(r.protocol, { kernel_lo: 1, kernel_ra: 2, kernel_ll: 3 }[a.protocol] ?? Number(a.protocol));
  }
}

test('addrList agrees with ip -j addr show for every link and family', { skip, timeout: 60_000 }, async () => {
  const ns = createNetns('addrs');
  quietIpv6(ns);
  for (const c of [
    'link add va type veth peer name vb',
    'link add br0 type bridge',
    'link set va up',
    'link set vb up',
    'link set br0 up',
    'addr add 10.1.1.1/24 brd + dev va',
    'addr add 10.1.1.2/24 dev va', // secondary
    'addr add 10.1.1.3/24 dev va label va:1', // labelled alias
    'addr add 192.0.2.9/32 dev va',
    'addr add 10.2.2.1 peer 10.2.2.2/24 dev vb',
    'addr add 2001:db8:5::1 peer 2001:db8:5::2/64 dev vb nodad',
    'addr add 2001:db8:1::1/64 dev va nodad',
    'addr add fe80::1234/64 dev va nodad',
    'addr add 2001:db8:2::1/64 dev va nodad preferred_lft 100 valid_lft 200',
    'addr add 2001:db8:4::1/64 dev va nodad preferred_lft 0 valid_lft 300', // deprecated
    'addr add 172.16.0.1/16 dev br0 noprefixroute',
    'addr add 2001:db8:6::1/64 dev br0 nodad',
  ])
    ip(ns, ...c.split(' '));
  const h = new Handle({ netns: ns });
  try {
    const links = ipJson<{ ifindex: number; ifname: string }[]>(ns, 'link', 'show');
    const famArgs: [number, string[]][] = [
      [FAMILY_ALL, []],
      [FAMILY_V4, ['-4']],
      [FAMILY_V6, ['-6']],
    ];
    for (const [fam, famArg] of famArgs) {
      agree(await h.addrList(null, fam), ipJson<IpAddrLink[]>(ns, ...famArg, 'addr', 'show'), `all links, family ${fam}`);
      for (const l of links) {
        const oracle = ipJson<IpAddrLink[]>(ns, ...famArg, 'addr', 'show', 'dev', l.ifname);
        const ours = await h.addrList(l.ifindex, fam);
        agree(ours, oracle, `${l.ifname}, family ${fam}`);
        assert.deepEqual(
          await h.addrList({ index: l.ifindex } as never, fam, { kernelFilter: false }),
          ours,
          `${l.ifname}: same without kernel filtering`,
        );
      }
    }
    const all = await h.addrList(null);
    const alias = all.find((a) => a.label === 'va:1');
    assert.ok(alias && alias.flags & IFA_F_SECONDARY, 'the alias is a secondary');
    const dep = all.find((a) => a.ipNet === '2001:db8:4::1/64');
    assert.ok(dep && dep.flags & IFA_F_DEPRECATED && dep.preferedLft === 0);
  } finally {
    h.close();
  }
});

test('kernel-side filtering: fewer bytes for one link, same addresses', { skip, timeout: 60_000 }, async () => {
  const ns = createNetns('addrfilt');
  quietIpv6(ns);
  ip(ns, 'link', 'add', 'big', 'type', 'veth', 'peer', 'name', 'small');
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) lines.push(`addr add 10.20.${i >> 8}.${i & 255}/32 dev big`);
  lines.push('addr add 10.30.0.1/24 dev small', 'addr add 2001:db8:30::1/64 dev small nodad');
  ipBatch(ns, lines);
  const h = new Handle({ netns: ns });
  try {
    const small = (await h.linkByName('small')).index;
    const measure = async (fn: () => Promise<Addr[]>): Promise<[Addr[], number, number]> => {
      const s0 = h.stats;
      const r = await fn();
      const s1 = h.stats;
      return [r, s1.bytesReceived - s0.bytesReceived, s1.messagesReceived - s0.messagesReceived];
    };
    const [one, oneBytes, oneMsgs] = await measure(() => h.addrList(small));
    const [oneClient, clientBytes] = await measure(() => h.addrList(small, FAMILY_ALL, { kernelFilter: false }));
    const [all, allBytes, allMsgs] = await measure(() => h.addrList(null));
    assert.deepEqual(one, oneClient, 'identical with and without kernel filtering');
    assert.deepEqual(
      one,
      all.filter((a) => a.linkIndex === small),
    );
    assert.equal(one.length, 2);
    assert.equal(oneMsgs, 2, "the kernel sent only that link's addresses");
    assert.ok(allMsgs > 2000);
    assert.ok(oneBytes * 50 < allBytes, `addrList(oneLink) read ${oneBytes} B, all links ${allBytes} B`);
    assert.ok(clientBytes >= allBytes * 0.9, `client-side filtering reads everything (${clientBytes} B)`);
    const [v6] = await measure(() => h.addrList(small, FAMILY_V6));
    assert.deepEqual(
      v6.map((a) => a.ipNet),
      ['2001:db8:30::1/64'],
    );
    if (process.env.NLWRAP_FIGURES)
      console.log(
        `addrList(oneLink): ${oneBytes} B / ${oneMsgs} msgs; all links: ${allBytes} B / ${allMsgs} msgs; client-side: ${clientBytes} B`,
      );
  } finally {
    h.close();
  }
});

test(
  'interrupted dumps under real address churn: throw with maxAttempts 1, retries by default',
  { skip, timeout: 90_000 },
  async () => {
    const ns = createNetns('addrintr');
    quietIpv6(ns);
    ip(ns, 'link', 'add', 's0', 'type', 'veth', 'peer', 'name', 'c0');
    const stable = new Set<string>();
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const a = `10.${40 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`;
      stable.add(a);
      lines.push(`addr add ${a} dev s0`);
    }
    ipBatch(ns, lines);
    // The churn: a shell adding and deleting an IPv4 address on another link
    // of the same namespace in a tight loop, one ip process per change (a few
    // hundred changes a second: the rate the host-kernel notes measured with).
    const churn = spawn(
      'bash',
      [
        '-c',
        `while :; do ip -n ${ns} addr add 10.250.0.1/32 dev c0; ip -n ${ns} addr del 10.250.0.1/32 dev c0; done >/dev/null 2>&1`,
      ],
      { detached: true, stdio: 'ignore' },
    );
    const strict = new Handle({ netns: ns, maxAttempts: 1, onInterrupted: 'throw', families: [0] });
    const warnings: string[] = [];
    const lenient = new Handle({ netns: ns, families: [0], logger: { warn: (m) => warnings.push(m) } });
    try {
      await new Promise((r) => setTimeout(r, 300)); // let the churn start
      const deadline = Date.now() + 20_000;
      let thrown = 0;
      let ok = 0;
      for (let i = 0; (i < 10 || thrown === 0) && Date.now() < deadline; i++) {
        try {
          await strict.addrList(null, FAMILY_V4);
          ok++;
        } catch (e) {
          assert.ok(e instanceof DumpInterruptedError, `only DumpInterruptedError, got ${String(e)}`);
          assert.equal(e.code, 'NLM_F_DUMP_INTR');
          assert.equal(e.attempts, 1);
          assert.ok(Array.isArray(e.partial));
          thrown++;
        }
      }
      assert.ok(thrown > 0, `some dumps were interrupted (${thrown} of ${thrown + ok})`);
      assert.equal(strict.stats.interruptedAttempts, thrown);
      const CALLS = 8;
      for (let i = 0; i < CALLS; i++) {
        const list = await lenient.addrList(null, FAMILY_V4);
        const have = new Set(list.map((a) => a.ipNet));
        for (const a of stable) if (!have.has(a)) assert.fail(`call ${i}: stable address ${a} missing`);
      }
      const s = lenient.stats;
      assert.equal(s.calls, CALLS);
      assert.ok(s.interruptedAttempts > 0, `the handle retried (${s.interruptedAttempts} interrupted attempts)`);
      assert.equal(warnings.length, s.exhaustedCalls);
      if (process.env.NLWRAP_FIGURES)
        console.log(
          `maxAttempts 1: ${thrown} of ${thrown + ok} interrupted; defaults: ${s.interruptedAttempts} interrupted attempts over ${CALLS} calls, ${s.exhaustedCalls} exhausted`,
        );
    } finally {
      if (churn.pid !== undefined) {
        try {
          process.kill(-churn.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      strict.close();
      lenient.close();
    }
  },
);

test('bad input rejects before anything is sent; a missing link is LinkNotFoundError', { skip }, async () => {
  const ns = createNetns('addrbad');
  const h = new Handle({ netns: ns });
  try {
    const before = h.stats;
    const bad: [() => Promise<unknown>, typeof TypeError | typeof RangeError, RegExp][] = [
      [() => h.addrList(null, 3), RangeError, /family/],
      [() => h.addrList(null, -1), RangeError, /family/],
      [() => h.addrList(null, 'inet' as never), TypeError, /family/],
      [() => h.addrList('lo' as never), TypeError, /link/],
      [() => h.addrList(-5), RangeError, /link/],
      [() => h.addrList({ index: 1.5 } as never), RangeError, /link\.index/],
      [() => h.addrList(null, FAMILY_ALL, { kernelFilter: 1 } as never), TypeError, /kernelFilter/],
      [() => h.addrList(null, FAMILY_ALL, { other: true } as never), TypeError, /unknown option/],
    ];
    for (const [call, type, msg] of bad) {
      let p: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        p = call();
      });
      await assert.rejects(p!, (e: unknown) => e instanceof type && msg.test((e as Error).message));
    }
    assert.equal(h.stats.calls, before.calls, 'nothing was sent');
    for (const kernelFilter of [true, false])
      await assert.rejects(
        h.addrList(4242, FAMILY_ALL, { kernelFilter }),
        (e: unknown) => e instanceof LinkNotFoundError && e.code === 'ENODEV',
      );
    // parse.addrs on malformed bytes: an error, never a crash.
    const msg = Buffer.alloc(16 + 8 + 8);
    msg.writeUInt32LE(msg.length, 0);
    msg.writeUInt16LE(20, 4); // RTM_NEWADDR
    msg.writeUInt8(2, 16); // AF_INET
    msg.writeUInt16LE(40, 24); // IFA_ADDRESS claiming 40 bytes
    msg.writeUInt16LE(1, 26);
    assert.throws(
      () => parse.addrs(msg),
      (e: unknown) => e instanceof NetlinkError && e.code === 'EBADMSG',
    );
    msg.writeUInt16LE(6, 24); // an IPv4 address of 2 bytes
    assert.throws(
      () => parse.addrs(msg),
      (e: unknown) => e instanceof NetlinkError && e.code === 'EBADMSG',
    );
  } finally {
    h.close();
  }
});

test('nlwrap addrs prints a table and JSON', { skip }, async () => {
  const ns = createNetns('addrcli');
  ip(ns, 'addr', 'add', '10.7.7.7/24', 'dev', 'lo');
  const out = sh('node', [
    '--import',
    'tsx',
    '-e',
    `require('./lib/cli').main(['addrs', '--netns', '${ns}', '--link', 'lo', '--family', '4'])`,
  ]);
  assert.match(out.split('\n')[0], /^LINK\s+ADDRESS/);
  assert.match(out, /lo\s+10\.7\.7\.7\/24 .* host|lo\s+10\.7\.7\.7\/24/);
  assert.doesNotMatch(out, /::1/);
  const json = JSON.parse(
    sh('node', ['--import', 'tsx', '-e', `require('./lib/cli').main(['addrs', '--netns', '${ns}', '--json'])`]),
  ) as Addr[];
  assert.ok(json.some((a) => a.ipNet === '10.7.7.7/24' && a.validLft === ADDR_LIFETIME_FOREVER));
});
