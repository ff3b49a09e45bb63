// What crosses between TypeScript and C++ for conntrack matches and
// deletes, as plain bytes the addon decodes with every length checked:
//
// 1. The built-in filters (src-native/conntrack_filter.cc decodes them),
//    host byte order:
//      u32 magic 'CTF1' (0x31465443), u32 filter count, then per filter:
//      u32 condition count, then per condition:
//        u8 kind, u8 filter type, u16 payload length, payload
//      kinds: 1 IP net  {u8 family AF_INET|AF_INET6, u8 prefix, u16 0, 16 bytes address}
//             2 proto   {u8}
//             3 port    {u16}
//             4 labels  {repeated: u16 length, bytes}
//             5 zone    {u16}
//             6 mark    {u32 value, u32 mask}
//             7 status  {u32 bits}
//
// 2. Flow identities (src-native/conntrack_identity.cc), 52 bytes each,
//    made here (custom filters) or by ct.matchIdentities, taken by
//    ct.deleteExact:
//      0 u8 family  1 u8 proto  2 u16 presence flags
//      4 u16 sport  6 u16 dport  8 u16 icmp id  10 u8 icmp type  11 u8 icmp code
//      12 u16 tuple zone  14 u16 zone  16 u32 id  20 16B src  36 16B dst
//    The tuple is the flow's original tuple, or an expectation's expected
//    tuple: what a delete names, with the zone and the id.
// 3. Kernel-side dump filter arguments (k*), for ct.dump / ct.match.
import { release } from 'node:os';
import {
  ConntrackExpectTable,
  ConntrackMatchStatus,
  ConntrackOrigDstIP,
  ConntrackOrigDstPort,
  ConntrackOrigSrcIP,
  ConntrackOrigSrcPort,
  ConntrackReplyDstIP,
  ConntrackReplySrcIP,
  ConntrackUnmatchStatus,
  FAMILY_V4,
  FAMILY_V6,
} from './constants';
import { conditionsOf, parseIp, type ConntrackFilter } from './conntrack-filter';
import type { ConntrackFlow, ConntrackTuple } from './types/conntrack';
import type { OpArgs } from './generated/args';

/** ct.dump's kernel-side filter arguments (the k* keys). */
export type KernelFilterArgs = Omit<OpArgs['ct.dump'], 'table' | 'family'>;

const MAGIC = 0x31465443;
/** The most filters one call takes: kMaxFilters in src-native/conntrack_filter.cc. */
export const MAX_CONNTRACK_FILTERS = 4096;
const AF_INET = 2;
const AF_INET6 = 10;

class Writer {
  private buf = Buffer.alloc(256);
  private len = 0;
  private need(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): this {
    this.need(1);
    this.buf.writeUInt8(v, this.len);
    this.len += 1;
    return this;
  }
  u16(v: number): this {
    this.need(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
    return this;
  }
  u32(v: number): this {
    this.need(4);
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.need(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  take(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

function condition(w: Writer, kind: number, type: number, payload: Buffer): void {
  w.u8(kind).u8(type).u16(payload.length).bytes(payload);
}

/** The filters as the addon's ct.match expects them. */
export function encodeFilters(filters: ConntrackFilter[]): Buffer {
  const w = new Writer().u32(MAGIC).u32(filters.length);
  for (const f of filters) {
    const c = conditionsOf(f);
    const items: [number, number, Buffer][] = [];
    for (const [type, net] of c.ipNets) {
      const p = new Writer()
        .u8(net.family === 4 ? AF_INET : AF_INET6)
        .u8(net.prefix)
        .u16(0);
      const addr = new Uint8Array(16);
      addr.set(net.bytes);
      items.push([1, type, p.bytes(addr).take()]);
    }
    if (c.proto !== null) items.push([2, 0, new Writer().u8(c.proto).take()]);
    for (const [type, port] of c.ports) items.push([3, type, new Writer().u16(port).take()]);
    for (const [type, labels] of c.labels) {
      const p = new Writer();
      for (const l of labels) p.u16(l.length).bytes(l);
      items.push([4, type, p.take()]);
    }
    if (c.zone !== null) items.push([5, 0, new Writer().u16(c.zone).take()]);
    if (c.mark !== null) items.push([6, 0, new Writer().u32(c.mark.value).u32(c.mark.mask).take()]);
    for (const [type, bits] of c.status) items.push([7, type, new Writer().u32(bits).take()]);
    w.u32(items.length);
    for (const [kind, type, payload] of items) condition(w, kind, type, payload);
  }
  return w.take();
}

export const IDENTITY_SIZE = 52;

function put16(b: Buffer, off: number, v: number | null): boolean {
  if (v === null) return false;
  b.writeUInt16LE(v, off);
  return true;
}

/**
 * The identities of flows chosen in JS (custom filters), deduplicated (an
 * interrupted dump may list a flow twice). Returns the bytes and the flows
 * kept, in the same order.
 */
export function encodeIdentities(flows: ConntrackFlow[], table: number): { bytes: Buffer; flows: ConntrackFlow[] } {
  const out: Buffer[] = [];
  const kept: ConntrackFlow[] = [];
  const seen = new Set<string>();
  for (const f of flows) {
    const t: ConntrackTuple = table === ConntrackExpectTable ? f.reverse : f.forward;
    const b = Buffer.alloc(IDENTITY_SIZE);
    let flags = 0;
    b[0] = f.familyType;
    if (t.protocol !== null) {
      b[1] = t.protocol;
      flags |= 1024;
    }
    if (put16(b, 4, t.srcPort)) flags |= 1;
    if (put16(b, 6, t.dstPort)) flags |= 2;
    if (put16(b, 8, t.icmpId)) flags |= 4;
    if (t.icmpType !== null) {
      b[10] = t.icmpType;
      flags |= 8;
    }
    if (t.icmpCode !== null) {
      b[11] = t.icmpCode;
      flags |= 16;
    }
    if (put16(b, 12, t.zone)) flags |= 32;
    // The default zone travels as no CTA_ZONE at all, as the kernel sent it.
    if (f.zone !== 0) {
      b.writeUInt16LE(f.zone, 14);
      flags |= 64;
    }
    if (f.id !== null) {
      b.writeUInt32LE(f.id, 16);
      flags |= 128;
    }
    const addr = (ip: string | null, off: number, bit: number): void => {
      if (ip === null) return;
      const p = parseIp(ip);
      if (!p) return;
      // Keep the flow's own family: a mapped address stays IPv6 on the wire.
      if (f.familyType === AF_INET6 && p.family === 4) b.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...p.bytes], off);
      else b.set(p.bytes, off);
      flags |= bit;
    };
    addr(t.srcIp, 20, 256);
    addr(t.dstIp, 36, 512);
    b.writeUInt16LE(flags, 2);
    const key = b.toString('latin1');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(b);
    kept.push(f);
  }
  return { bytes: Buffer.concat(out), flows: kept };
}

// The kernel's CTA_FILTER flag bits (CTA_FILTER_F_* in nf_conntrack_netlink.c).
const F_IP_SRC = 1 << 0;
const F_IP_DST = 1 << 1;
const F_PROTO_NUM = 1 << 3;
const F_SRC_PORT = 1 << 4;
const F_DST_PORT = 1 << 5;

let kernel: [number, number] | undefined;
function kernelVersion(): [number, number] {
  if (!kernel) {
    const m = /^(\d+)\.(\d+)/.exec(release());
    kernel = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  }
  return kernel;
}
function atLeast(major: number, minor: number): boolean {
  const [a, b] = kernelVersion();
  return a > major || (a === major && b >= minor);
}

/**
 * Kernel-side dump filters for one built-in filter on the conntrack table.
 * The rule: a kernel filter may only send more flows than match, never
 * fewer, because the native matcher checks every flow it gets but cannot
 * see the flows the kernel left out. So only what the kernel checks exactly
 * as the native matcher does (or more loosely) is sent: mark/mask (every
 * kernel), status (5.15+), a non-zero zone (6.8+), and CTA_FILTER (5.10+,
 * family IPv4 or IPv6) for the protocol, the original ports and exact IPv4
 * addresses. Left to the native matcher:
 * - IPv6 addresses: the kernel's CTA_FILTER compares them with the test
 *   inverted (ctnetlink_filter_match_tuple, seen on 6.18): a dump filtered
 *   on source ::1 returns every flow except the ::1 ones;
 * - zone 0: the kernel then drops flows in a directional zone (zone-orig=7),
 *   which have no CTA_ZONE and so are in zone 0 for the matcher, as for
 *   vishvananda.
 * The kernel ignores SCTP/DCCP/UDPLite ports in CTA_FILTER (it sends those
 * flows whatever their ports): looser, so harmless.
 */
export function kernelFilterArgs(filters: ConntrackFilter[], table: number, family: number): KernelFilterArgs {
  if (filters.length !== 1 || table !== 1) return {};
  const c = conditionsOf(filters[0]);
  const k: KernelFilterArgs = {};
  if (c.mark !== null) {
    k.kMark = c.mark.value;
    k.kMarkMask = c.mark.mask;
  }
  const all = c.status.get(ConntrackMatchStatus) ?? 0;
  const none = c.status.get(ConntrackUnmatchStatus) ?? 0;
  if ((all || none) && atLeast(5, 15) && (all & none) === 0) {
    k.kStatus = all;
    k.kStatusMask = (all | none) >>> 0;
  }
  if (c.zone !== null && c.zone !== 0 && atLeast(6, 8)) k.kZone = c.zone;
  if ((family === FAMILY_V4 || family === FAMILY_V6) && atLeast(5, 10)) {
    let orig = 0;
    let reply = 0;
    const exact = (type: number): Uint8Array | null => {
      const n = c.ipNets.get(type);
      return family === FAMILY_V4 && n && n.family === 4 && n.prefix === 32 ? Buffer.from(n.bytes) : null;
    };
    const ips: [number, 'kOrigSrc' | 'kOrigDst' | 'kReplySrc' | 'kReplyDst', number, boolean][] = [
      [ConntrackOrigSrcIP, 'kOrigSrc', F_IP_SRC, true],
      [ConntrackOrigDstIP, 'kOrigDst', F_IP_DST, true],
      [ConntrackReplySrcIP, 'kReplySrc', F_IP_SRC, false],
      [ConntrackReplyDstIP, 'kReplyDst', F_IP_DST, false],
    ];
    for (const [type, key, bit, isOrig] of ips) {
      const b = exact(type);
      if (!b) continue;
      k[key] = b;
      if (isOrig) orig |= bit;
      else reply |= bit;
    }
    if (c.proto !== null) {
      orig |= F_PROTO_NUM;
      k.kProto = c.proto;
      const sp = c.ports.get(ConntrackOrigSrcPort);
      const dp = c.ports.get(ConntrackOrigDstPort);
      if (sp !== undefined) {
        orig |= F_SRC_PORT;
        k.kSport = sp;
      }
      if (dp !== undefined) {
        orig |= F_DST_PORT;
        k.kDport = dp;
      }
    }
    if (orig) k.kOrigFlags = orig;
    if (reply) k.kReplyFlags = reply;
  }
  return k;
}
