// The oracle for XFRM tests: `ip -s xfrm state` and `ip -s xfrm policy`
// text (iproute2 has no JSON for xfrm) parsed into plain records with the
// kernel's numbers, so tests can compare nlwrap's results field by field.
// Written for iproute2 6.1's format; an unknown line fails loudly.
import assert from 'node:assert/strict';
import { XFRM_INF, type XfrmPolicy, type XfrmState, type XfrmStateLimits } from '../../lib/index';

const PROTOS: Record<string, number> = {
  esp: 50,
  ah: 51,
  comp: 108,
  route2: 43,
  hao: 60,
  'ipsec-any': 255,
  tcp: 6,
  udp: 17,
  icmp: 1,
  'ipv6-icmp': 58,
  sctp: 132,
};
const MODES: Record<string, number> = { transport: 0, tunnel: 1, ro: 2, in_trigger: 3, beet: 4 };
const DIRS: Record<string, number> = { in: 0, out: 1, fwd: 2 };

const protoNum = (s: string): number => PROTOS[s] ?? Number(s);
const lim = (s: string): bigint => (s === '(INF)' ? XFRM_INF : BigInt(s));

export interface IpAlgo {
  name: string;
  key: string; // hex without 0x
  bits: number;
  trunc?: number;
  icv?: number;
}

export interface IpLifetime {
  byteSoft: bigint;
  byteHard: bigint;
  packetSoft: bigint;
  packetHard: bigint;
  timeSoft: bigint;
  timeHard: bigint;
  timeUseSoft: bigint;
  timeUseHard: bigint;
  bytes: bigint;
  packets: bigint;
  add: string; // 'YYYY-MM-DD HH:MM:SS' local time
  use: string; // '-' when never used
}

export interface IpSel {
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
  dev: string | null;
}

export interface IpState {
  src: string;
  dst: string;
  proto: number;
  spi: number;
  reqid: number;
  mode: number;
  replayWindow: number;
  flags: number | null;
  /** null for plain `ip xfrm state`, which leaves extra flags out. */
  extraFlags: string[] | null;
  mark: { value: number; mask: number } | null;
  outputMark: { value: number; mask: number } | null;
  auth: IpAlgo | null;
  enc: IpAlgo | null;
  aead: IpAlgo | null;
  comp: string | null;
  encap: { type: string; sport: number; dport: number; addr: string } | null;
  replay: { seq: number; oseq: number; bitmap: number } | null;
  esn: { seqHi: number; seq: number; oseqHi: number; oseq: number; replayWindow: number; bmpLen: number; words: number[] } | null;
  ifid: number | null;
  tfcpad: number | null;
  sel: IpSel | null;
  life: IpLifetime | null;
  stats: { replayWindow: number; replay: number; failed: number } | null;
}

export interface IpTmpl {
  src: string;
  dst: string;
  proto: number;
  spi: number;
  reqid: number;
  mode: number;
  optional: boolean;
  share: string;
  encMask: number | null;
  authMask: number | null;
  compMask: number | null;
}

export interface IpPolicy {
  sel: IpSel;
  dir: number;
  action: number;
  index: number | null;
  priority: number;
  ptype: string;
  flags: number | null;
  mark: { value: number; mask: number } | null;
  ifid: number | null;
  tmpls: IpTmpl[];
  life: IpLifetime | null;
}

/** Splits text into blocks, one per object (a line not starting with whitespace). */
function blocks(text: string): string[][] {
  const out: string[][] = [];
  for (const line of text.replace(/\r/g, '').split('\n')) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) out.push([line]);
    else out[out.length - 1].push(line);
  }
  return out;
}

function parseSel(s: string): IpSel {
  const m = /src (\S+) dst (\S+)(.*)$/.exec(s);
  if (!m) throw new Error(`ipxfrm: bad selector '${s}'`);
  const rest = m[3];
  const num = (k: string): number => {
    const r = new RegExp(`\\b${k} (\\d+)`).exec(rest);
    return r ? Number(r[1]) : 0;
  };
  const p = /\bproto (\S+)/.exec(rest);
  const dev = /\bdev (\S+)/.exec(rest);
  return {
    src: m[1],
    dst: m[2],
    proto: p ? protoNum(p[1]) : 0,
    sport: num('sport') || num('type'),
    dport: num('dport') || num('code'),
    dev: dev ? dev[1] : null,
  };
}

/** Consumes "lifetime config:" / "lifetime current:" lines starting at i; returns the index after them. */
function parseLifetime(lines: string[], i: number, life: Partial<IpLifetime>): number {
  for (; i < lines.length; i++) {
    const l = lines[i].trim();
    let m: RegExpExecArray | null;
    if (l === 'lifetime config:' || l === 'lifetime current:') continue;
    if ((m = /^limit: soft (\S+)\(bytes\), hard (\S+)\(bytes\)$/.exec(l))) {
      life.byteSoft = lim(m[1]);
      life.byteHard = lim(m[2]);
    } else if ((m = /^limit: soft (\S+)\(packets\), hard (\S+)\(packets\)$/.exec(l))) {
      life.packetSoft = lim(m[1]);
      life.packetHard = lim(m[2]);
    } else if ((m = /^expire add: soft (\d+)\(sec\), hard (\d+)\(sec\)$/.exec(l))) {
      life.timeSoft = BigInt(m[1]);
      life.timeHard = BigInt(m[2]);
    } else if ((m = /^expire use: soft (\d+)\(sec\), hard (\d+)\(sec\)$/.exec(l))) {
      life.timeUseSoft = BigInt(m[1]);
      life.timeUseHard = BigInt(m[2]);
    } else if ((m = /^(\d+)\(bytes\), (\d+)\(packets\)$/.exec(l))) {
      life.bytes = BigInt(m[1]);
      life.packets = BigInt(m[2]);
    } else if ((m = /^add (\S+ \S+) use (.+)$/.exec(l))) {
      life.add = m[1];
      life.use = m[2].trim();
    } else return i;
  }
  return i;
}

function parseAlgo(rest: string, kind: string): IpAlgo {
  // `ip -s` adds "(N bits)"; plain `ip` does not.
  const m = /^(\S+) 0x([0-9a-f]*)(?: \((\d+) bits\))?\s*(\d+)?$/.exec(rest.trim());
  if (!m) throw new Error(`ipxfrm: bad ${kind} line '${rest}'`);
  const a: IpAlgo = { name: m[1], key: m[2], bits: m[3] === undefined ? m[2].length * 4 : Number(m[3]) };
  if (kind === 'auth-trunc') a.trunc = Number(m[4]);
  if (kind === 'aead') a.icv = Number(m[4]);
  return a;
}

const markOf = (s: string): { value: number; mask: number } => {
  const [v, m] = s.split('/');
  return { value: Number(v), mask: m === undefined ? 0xffffffff : Number(m) };
};

/** Parses `ip -s xfrm state` (or plain `ip xfrm state`) output. */
export function parseIpStates(text: string): IpState[] {
  return blocks(text).map((lines) => {
    const h = /^src (\S+) dst (\S+)$/.exec(lines[0].trim());
    if (!h) throw new Error(`ipxfrm: bad state header '${lines[0]}'`);
    const st: IpState = {
      src: h[1],
      dst: h[2],
      proto: 0,
      spi: 0,
      reqid: 0,
      mode: 0,
      replayWindow: 0,
      flags: null,
      extraFlags: null,
      mark: null,
      outputMark: null,
      auth: null,
      enc: null,
      aead: null,
      comp: null,
      encap: null,
      replay: null,
      esn: null,
      ifid: null,
      tfcpad: null,
      sel: null,
      life: null,
      stats: null,
    };
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i].trim();
      let m: RegExpExecArray | null;
      if ((m = /^proto (\S+) spi 0x([0-9a-f]+)\S* reqid (\d+)\S* mode (\S+)$/.exec(l))) {
        st.proto = protoNum(m[1]);
        st.spi = parseInt(m[2], 16);
        st.reqid = Number(m[3]);
        st.mode = MODES[m[4]];
      } else if ((m = /^replay-window (\d+)(.*)$/.exec(l))) {
        st.replayWindow = Number(m[1]);
        // strxf_mask8 prints the flag byte's bits after "0x".
        const f = /\(0x([01]+)\)\s*$/.exec(m[2]);
        if (f) st.flags = parseInt(f[1], 2);
        if (/\bseq 0x/.test(m[2])) {
          const x = /extra_flag (.*?)(\(0x|$)/.exec(m[2]);
          st.extraFlags = x ? x[1].trim().split(/\s+/) : [];
        }
      } else if ((m = /^mark (\S+)/.exec(l))) st.mark = markOf(m[1]);
      else if ((m = /^output-mark (\S+)/.exec(l))) st.outputMark = markOf(m[1]);
      else if ((m = /^auth-trunc (.*)$/.exec(l))) st.auth = parseAlgo(m[1], 'auth-trunc');
      else if ((m = /^auth (.*)$/.exec(l))) st.auth = parseAlgo(m[1], 'auth');
      else if ((m = /^enc (.*)$/.exec(l))) st.enc = parseAlgo(m[1], 'enc');
      else if ((m = /^aead (.*)$/.exec(l))) st.aead = parseAlgo(m[1], 'aead');
      else if ((m = /^comp (\S+)/.exec(l))) st.comp = m[1];
      else if ((m = /^encap type (\S+) sport (\d+) dport (\d+) addr (\S+)$/.exec(l)))
        st.encap = { type: m[1], sport: Number(m[2]), dport: Number(m[3]), addr: m[4] };
      else if ((m = /^anti-replay context: seq 0x([0-9a-f]+), oseq 0x([0-9a-f]+), bitmap 0x([0-9a-f]+)$/.exec(l)))
        st.replay = { seq: parseInt(m[1], 16), oseq: parseInt(m[2], 16), bitmap: parseInt(m[3], 16) };
      else if (l === 'anti-replay esn context:') {
        const a = /seq-hi 0x([0-9a-f]+), seq 0x([0-9a-f]+), oseq-hi 0x([0-9a-f]+), oseq 0x([0-9a-f]+)/.exec(lines[++i]);
        const b = /replay_window (\d+), bitmap-length (\d+)/.exec(lines[++i]);
        if (!a || !b) throw new Error('ipxfrm: bad esn context');
        const words = lines[++i]
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((w) => parseInt(w, 16));
        st.esn = {
          seqHi: parseInt(a[1], 16),
          seq: parseInt(a[2], 16),
          oseqHi: parseInt(a[3], 16),
          oseq: parseInt(a[4], 16),
          replayWindow: Number(b[1]),
          bmpLen: Number(b[2]),
          words,
        };
      } else if ((m = /^if_id 0x([0-9a-f]+)$/.exec(l))) st.ifid = parseInt(m[1], 16);
      else if ((m = /^tfcpad (\d+)$/.exec(l))) st.tfcpad = Number(m[1]);
      else if ((m = /^sel (.*)$/.exec(l))) st.sel = parseSel(m[1]);
      else if (l === 'lifetime config:') {
        const life: Partial<IpLifetime> = {};
        i = parseLifetime(lines, i, life) - 1;
        st.life = life as IpLifetime;
      } else if (l === 'stats:') {
        const s = /replay-window (\d+) replay (\d+) failed (\d+)/.exec(lines[++i]);
        if (!s) throw new Error('ipxfrm: bad stats');
        st.stats = { replayWindow: Number(s[1]), replay: Number(s[2]), failed: Number(s[3]) };
      } else throw new Error(`ipxfrm: unknown state line '${l}'`);
    }
    return st;
  });
}

/** Parses `ip -s xfrm policy` (or plain `ip xfrm policy`) output. */
export function parseIpPolicies(text: string): IpPolicy[] {
  return blocks(text).map((lines) => {
    const p: IpPolicy = {
      sel: parseSel(lines[0]),
      dir: -1,
      action: 0,
      index: null,
      priority: 0,
      ptype: 'main',
      flags: null,
      mark: null,
      ifid: null,
      tmpls: [],
      life: null,
    };
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i].trim();
      let m: RegExpExecArray | null;
      if ((m = /^dir (\S+)(.*)$/.exec(l))) {
        p.dir = DIRS[m[1]];
        const rest = m[2];
        p.action = /\baction block\b/.test(rest) ? 1 : 0;
        const ix = /\bindex (\d+)/.exec(rest);
        p.index = ix ? Number(ix[1]) : null;
        p.priority = Number(/\bpriority (\d+)/.exec(rest)?.[1] ?? 0);
        p.ptype = /\bptype (\S+)/.exec(rest)?.[1] ?? 'main';
        const f = /\(0x([01]+)\)\s*$/.exec(rest);
        if (f) p.flags = parseInt(f[1], 2);
      } else if ((m = /^mark (\S+)/.exec(l))) p.mark = markOf(m[1]);
      else if ((m = /^if_id 0x([0-9a-f]+)$/.exec(l))) p.ifid = parseInt(m[1], 16);
      else if (l === 'lifetime config:') {
        const life: Partial<IpLifetime> = {};
        i = parseLifetime(lines, i, life) - 1;
        p.life = life as IpLifetime;
      } else if ((m = /^tmpl src (\S+) dst (\S+)$/.exec(l))) {
        const t: IpTmpl = {
          src: m[1],
          dst: m[2],
          proto: 0,
          spi: 0,
          reqid: 0,
          mode: 0,
          optional: false,
          share: 'any',
          encMask: null,
          authMask: null,
          compMask: null,
        };
        while (i + 1 < lines.length && /^\t\t/.test(lines[i + 1])) {
          const tl = lines[++i].trim();
          let k: RegExpExecArray | null;
          if ((k = /^proto (\S+)(?: spi 0x([0-9a-f]+)\S*)? reqid (\d+)\S* mode (\S+)$/.exec(tl))) {
            t.proto = protoNum(k[1]);
            t.spi = k[2] ? parseInt(k[2], 16) : 0;
            t.reqid = Number(k[3]);
            t.mode = MODES[k[4]];
          } else if ((k = /^level (\S+)(?: share (\S+))?/.exec(tl))) {
            t.optional = k[1] === 'use';
            t.share = k[2] ?? 'any';
          } else if ((k = /^enc-mask ([0-9a-f]+) auth-mask ([0-9a-f]+) comp-mask ([0-9a-f]+)$/.exec(tl))) {
            t.encMask = parseInt(k[1], 16);
            t.authMask = parseInt(k[2], 16);
            t.compMask = parseInt(k[3], 16);
          } else throw new Error(`ipxfrm: unknown tmpl line '${tl}'`);
        }
        p.tmpls.push(t);
      } else throw new Error(`ipxfrm: unknown policy line '${l}'`);
    }
    return p;
  });
}

/** Unix seconds as iproute2's strxf_time prints them (local time). */
export function ipTime(sec: bigint): string {
  if (sec === 0n) return '-';
  const d = new Date(Number(sec) * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function zeroNet(family: number): string {
  return family === 10 ? '::/0' : '0.0.0.0/0';
}

function assertLife(
  what: string,
  limits: XfrmStateLimits,
  stats: { bytes: bigint; packets: bigint; addTime: bigint; useTime: bigint },
  life: IpLifetime | null,
): void {
  if (life === null) return; // plain `ip xfrm` (no -s) prints no lifetimes
  for (const k of [
    'byteSoft',
    'byteHard',
    'packetSoft',
    'packetHard',
    'timeSoft',
    'timeHard',
    'timeUseSoft',
    'timeUseHard',
  ] as const)
    assert.equal(limits[k], life[k], `${what} limits.${k}`);
  assert.equal(stats.bytes, life.bytes, `${what} bytes`);
  assert.equal(stats.packets, life.packets, `${what} packets`);
  assert.equal(ipTime(stats.addTime), life.add, `${what} addTime`);
  assert.equal(ipTime(stats.useTime), life.use, `${what} useTime`);
}

/** Asserts that one nlwrap state agrees with ip's view of it, field by field. */
export function assertStateMatches(s: XfrmState, o: IpState): void {
  const what = `SA ${o.src}->${o.dst} spi 0x${o.spi.toString(16)}`;
  assert.equal(s.src, o.src, `${what} src`);
  assert.equal(s.dst, o.dst, `${what} dst`);
  assert.equal(s.proto, o.proto, `${what} proto`);
  assert.equal(s.spi, o.spi, `${what} spi`);
  assert.equal(s.reqid, o.reqid, `${what} reqid`);
  assert.equal(s.mode, o.mode, `${what} mode`);
  assert.equal(s.replayWindow, o.replayWindow, `${what} replayWindow`);
  if (o.flags !== null) assert.equal(s.flags, o.flags, `${what} flags`);
  assert.equal(s.esn, (s.flags & 128) !== 0, `${what} esn`);
  if (o.extraFlags !== null) {
    assert.equal(s.dontEncapDscp, o.extraFlags.includes('dont-encap-dscp'), `${what} dontEncapDscp`);
    assert.equal(s.oSeqMayWrap, o.extraFlags.includes('oseq-may-wrap'), `${what} oSeqMayWrap`);
  }
  assert.deepEqual(s.mark, o.mark, `${what} mark`);
  assert.deepEqual(s.outputMark, o.outputMark, `${what} outputMark`);
  const algo = (name: string, a: XfrmState['auth'], b: IpAlgo | null): void => {
    if (b === null) return assert.equal(a, null, `${what} ${name}`);
    assert.ok(a, `${what} has ${name}`);
    assert.equal(a.name, b.name, `${what} ${name}.name`);
    assert.equal(a.key.toString('hex'), b.key, `${what} ${name}.key`);
    assert.equal(a.key.length * 8, b.bits, `${what} ${name} key bits`);
    if (b.trunc !== undefined) assert.equal(a.truncateLen, b.trunc, `${what} ${name}.truncateLen`);
    if (b.icv !== undefined) assert.equal(a.icvLen, b.icv, `${what} ${name}.icvLen`);
  };
  algo('auth', s.auth, o.auth);
  algo('crypt', s.crypt, o.enc);
  algo('aead', s.aead, o.aead);
  assert.equal(s.comp?.name ?? null, o.comp, `${what} comp`);
  if (o.encap === null) assert.equal(s.encap, null, `${what} encap`);
  else {
    assert.ok(s.encap, `${what} has encap`);
    assert.equal(s.encap.type, { espinudp: 2, 'espinudp-nonike': 1 }[o.encap.type], `${what} encap.type`);
    assert.equal(s.encap.srcPort, o.encap.sport, `${what} encap.srcPort`);
    assert.equal(s.encap.dstPort, o.encap.dport, `${what} encap.dstPort`);
    assert.equal(s.encap.originalAddress, o.encap.addr, `${what} encap.originalAddress`);
  }
  assert.deepEqual(
    s.replay === null ? null : { seq: s.replay.seq, oseq: s.replay.oSeq, bitmap: s.replay.bitMap },
    o.replay,
    `${what} replay`,
  );
  if (o.esn === null) assert.equal(s.replayEsn, null, `${what} replayEsn`);
  else {
    const e = s.replayEsn;
    assert.ok(e, `${what} has replayEsn`);
    const words = Array.from({ length: e.bmpLen }, (_, k) => e.bmp.readUInt32LE(k * 4));
    assert.deepEqual(
      { seqHi: e.seqHi, seq: e.seq, oseqHi: e.oSeqHi, oseq: e.oSeq, replayWindow: e.replayWindow, bmpLen: e.bmpLen, words },
      o.esn,
      `${what} replayEsn`,
    );
  }
  assert.equal(s.ifid, o.ifid, `${what} ifid`);
  assert.equal(s.tfcpad, o.tfcpad, `${what} tfcpad`);
  const sel = s.selector;
  if (o.sel === null) {
    // ip leaves out an all-zero selector.
    assert.deepEqual(
      [sel.src, sel.dst, sel.proto, sel.srcPort, sel.dstPort, sel.ifindex],
      [zeroNet(s.family), zeroNet(s.family), 0, 0, 0, 0],
      `${what} zero selector`,
    );
  } else {
    assert.equal(sel.src, o.sel.src, `${what} selector.src`);
    assert.equal(sel.dst, o.sel.dst, `${what} selector.dst`);
    assert.equal(sel.proto, o.sel.proto, `${what} selector.proto`);
    assert.equal(sel.srcPort, o.sel.sport, `${what} selector.srcPort`);
    assert.equal(sel.dstPort, o.sel.dport, `${what} selector.dstPort`);
  }
  assertLife(what, s.limits, s.statistics, o.life);
  if (o.stats) {
    assert.equal(s.statistics.replayWindow, o.stats.replayWindow, `${what} stats.replayWindow`);
    assert.equal(s.statistics.replay, o.stats.replay, `${what} stats.replay`);
    assert.equal(s.statistics.failed, o.stats.failed, `${what} stats.failed`);
  }
}

const SHARES: Record<string, number> = { any: 0, session: 1, user: 2, unique: 3 };

/** Asserts that one nlwrap policy agrees with ip's view of it; `ifname` maps an ifindex to a name. */
export function assertPolicyMatches(p: XfrmPolicy, o: IpPolicy, ifname: (i: number) => string | null = () => null): void {
  const what = `policy ${o.sel.src}->${o.sel.dst} dir ${o.dir}`;
  assert.equal(p.src, o.sel.src, `${what} src`);
  assert.equal(p.dst, o.sel.dst, `${what} dst`);
  assert.equal(p.proto, o.sel.proto, `${what} proto`);
  assert.equal(p.srcPort, o.sel.sport, `${what} srcPort`);
  assert.equal(p.dstPort, o.sel.dport, `${what} dstPort`);
  assert.equal(p.ifindex === 0 ? null : ifname(p.ifindex), o.sel.dev, `${what} ifindex`);
  assert.equal(p.dir, o.dir, `${what} dir`);
  assert.equal(p.action, o.action, `${what} action`);
  if (o.index !== null) assert.equal(p.index, o.index, `${what} index`);
  assert.equal(p.priority, o.priority, `${what} priority`);
  assert.equal(p.policyType ?? 0, { main: 0, sub: 1 }[o.ptype], `${what} policyType`);
  if (o.flags !== null) assert.equal(p.flags, o.flags, `${what} flags`);
  assert.deepEqual(p.mark, o.mark, `${what} mark`);
  assert.equal(p.ifid, o.ifid, `${what} ifid`);
  assert.equal(p.tmpls.length, o.tmpls.length, `${what} template count`);
  p.tmpls.forEach((t, k) => {
    const e = o.tmpls[k];
    const tw = `${what} tmpl ${k}`;
    assert.equal(t.src, e.src, `${tw} src`);
    assert.equal(t.dst, e.dst, `${tw} dst`);
    assert.equal(t.proto, e.proto, `${tw} proto`);
    assert.equal(t.spi, e.spi, `${tw} spi`);
    assert.equal(t.reqid, e.reqid, `${tw} reqid`);
    assert.equal(t.mode, e.mode, `${tw} mode`);
    assert.equal(t.optional !== 0, e.optional, `${tw} optional`);
    assert.equal(t.share, SHARES[e.share], `${tw} share`);
    if (e.encMask !== null)
      assert.deepEqual([t.ealgos, t.aalgos, t.calgos], [e.encMask, e.authMask, e.compMask], `${tw} algo masks`);
  });
  assertLife(what, p.limits, p.statistics, o.life);
}
