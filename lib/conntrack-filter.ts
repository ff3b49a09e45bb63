// ConntrackFilter: vishvananda/netlink v1.3's ConntrackFilter with
// lowerCamelCase names. Within a filter every condition must hold; an empty
// filter matches nothing. Every add* returns the filter and throws
// TypeError/RangeError on bad input or an attribute added twice, so a
// mistake surfaces before anything is deleted.
//
// Differences from vishvananda, on purpose: SCTP, DCCP and UDPLite ports
// match (vishvananda only reads TCP/UDP ports, so its port filters never
// match those flows), and there are mark and status conditions.
// conntrackDeleteFilters matches these filters in native code
// (src-native/conntrack_filter.cc); matchConntrackFlow below is the same
// logic for JS callers and for mixing with custom filters.
import { isIP } from 'node:net';
import {
  ConntrackMatchLabels,
  ConntrackMatchStatus,
  ConntrackOrigDstIP,
  ConntrackOrigDstPort,
  ConntrackOrigSrcIP,
  ConntrackOrigSrcPort,
  ConntrackReplyAnyIP,
  ConntrackReplyDstIP,
  ConntrackReplySrcIP,
  ConntrackUnmatchLabels,
  ConntrackUnmatchStatus,
} from './constants';
import type { ConntrackFlow, CustomConntrackFilter } from './types/conntrack';
import { checkInteger } from './args';

/** An address in bytes; IPv4-mapped IPv6 counts as IPv4, as Go's To4() does. */
export interface IpBytes {
  family: 4 | 6;
  bytes: Uint8Array;
}

export interface IpNet extends IpBytes {
  prefix: number;
}

/** The conditions of one filter, read by lib/conntrack-wire.ts. */
export interface FilterConditions {
  ipNets: Map<number, IpNet>;
  proto: number | null;
  ports: Map<number, number>;
  labels: Map<number, Uint8Array[]>;
  zone: number | null;
  mark: { value: number; mask: number } | null;
  status: Map<number, number>;
}

/** Protocols whose ports a filter can match: TCP, UDP, DCCP, SCTP, UDPLite. */
export const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]);

const IP_TYPES = new Set([ConntrackOrigSrcIP, ConntrackOrigDstIP, ConntrackReplySrcIP, ConntrackReplyDstIP, ConntrackReplyAnyIP]);
const PORT_TYPES = new Set([ConntrackOrigSrcPort, ConntrackOrigDstPort]);
const LABEL_TYPES = new Set([ConntrackMatchLabels, ConntrackUnmatchLabels]);
const STATUS_TYPES = new Set([ConntrackMatchStatus, ConntrackUnmatchStatus]);

function parseV4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return null;
    const v = Number(parts[i]);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

function parseV6(s: string): Uint8Array | null {
  if (isIP(s) !== 6) return null;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // An embedded IPv4 tail becomes two hex words.
    const v4 = parseV4(last);
    if (!v4) return null;
    text = `${text.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const double = text.indexOf('::');
  const words = (x: string): number[] => (x === '' ? [] : x.split(':').map((w) => parseInt(w, 16)));
  let all: number[];
  if (double < 0) {
    all = words(text);
  } else {
    const h = words(text.slice(0, double));
    const r = words(text.slice(double + 2));
    all = [...h, ...new Array<number>(Math.max(0, 8 - h.length - r.length)).fill(0), ...r];
  }
  if (all.length !== 8 || all.some((w) => !(w >= 0 && w <= 0xffff))) return null;
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

const MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Parses an IPv4 or IPv6 address; null when it is neither. */
export function parseIp(s: string): IpBytes | null {
  if (typeof s !== 'string') return null;
  if (isIP(s) === 4) {
    const b = parseV4(s);
    return b ? { family: 4, bytes: b } : null;
  }
  const b = parseV6(s);
  if (!b) return null;
  if (MAPPED.every((v, i) => b[i] === v)) return { family: 4, bytes: b.slice(12) };
  return { family: 6, bytes: b };
}

/** A zone (fe80::1%eth0) names a link, which a conntrack address has not: Go's net.ParseIP and ParseCIDR refuse it too. */
function checkNoZone(addr: string, name: string): void {
  if (addr.includes('%')) throw new RangeError(`${name}: '${addr}' has a zone (%...); conntrack addresses have none`);
}

/**
 * Go's net.ParseCIDR and IPNet.Contains: an IPv4-mapped address with a
 * prefix of 96 or more is an IPv4 network of prefix - 96
 * ('::ffff:10.0.0.0/104' is 10.0.0.0/8); under 96 the mask cuts into the
 * ::ffff: marker, so it is a plain IPv6 network ('::ffff:10.0.0.0/8' is
 * ::/8), which contains no IPv4 address.
 */
function parseCidr(s: string, name: string): IpNet {
  if (typeof s !== 'string') throw new TypeError(`${name} must be a CIDR string, got ${typeof s}`);
  const slash = s.indexOf('/');
  if (slash < 0) throw new RangeError(`${name}: '${s}' is not a CIDR (address/prefix)`);
  const addr = s.slice(0, slash);
  const plen = s.slice(slash + 1);
  checkNoZone(addr, name);
  const textFamily = isIP(addr);
  const ip = parseIp(addr);
  if (!ip || textFamily === 0) throw new RangeError(`${name}: '${addr}' is not an IP address`);
  const max = textFamily === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(plen) || Number(plen) > max) throw new RangeError(`${name}: bad prefix length '${plen}' in '${s}'`);
  const prefix = Number(plen);
  if (textFamily === 6 && ip.family === 4) {
    if (prefix >= 96) return { ...ip, prefix: prefix - 96 };
    return { family: 6, bytes: Uint8Array.from([...MAPPED, ...ip.bytes]), prefix };
  }
  return { ...ip, prefix };
}

function contains(net: IpNet, ip: string | null): boolean {
  if (ip === null) return false;
  const a = parseIp(ip);
  if (!a || a.family !== net.family) return false;
  const full = net.prefix >> 3;
  for (let i = 0; i < full; i++) if (a.bytes[i] !== net.bytes[i]) return false;
  const rest = net.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a.bytes[full] & mask) === (net.bytes[full] & mask);
}

function bytesContain(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle)) >= 0 || needle.length === 0;
}

const conditions = new WeakMap<ConntrackFilter, FilterConditions>();

/** The conditions of a filter (for the wire encoder and kernel-side filtering). */
export function conditionsOf(f: ConntrackFilter): FilterConditions {
  return conditions.get(f) as FilterConditions;
}

function typeName(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v;
}

export class ConntrackFilter implements CustomConntrackFilter {
  constructor() {
    conditions.set(this, {
      ipNets: new Map(),
      proto: null,
      ports: new Map(),
      labels: new Map(),
      zone: null,
      mark: null,
      status: new Map(),
    });
  }

  /** A subnet ('10.0.0.0/8', '2001:db8::/32') for one of the IP filter types. */
  addIpNet(type: number, cidr: string): this {
    checkType(type, IP_TYPES, 'addIpNet: type', 'an IP filter type (ConntrackOrigSrcIP ... ConntrackReplyAnyIP)');
    const net = parseCidr(cidr, 'addIpNet: cidr');
    const c = conditionsOf(this);
    if (c.ipNets.has(type)) throw new RangeError(`addIpNet: filter type ${type} is already present`);
    c.ipNets.set(type, net);
    return this;
  }

  /** One address (a /32 or /128 network), as vishvananda's AddIP. */
  addIp(type: number, ip: string): this {
    checkType(type, IP_TYPES, 'addIp: type', 'an IP filter type (ConntrackOrigSrcIP ... ConntrackReplyAnyIP)');
    if (typeof ip !== 'string') throw new TypeError(`addIp: ip must be a string, got ${typeof ip}`);
    checkNoZone(ip, 'addIp: ip');
    const family = isIP(ip);
    if (family === 0) throw new RangeError(`addIp: '${ip}' is not an IP address`);
    return this.addIpNet(type, `${ip}/${family === 4 ? 32 : 128}`);
  }

  /** The layer-4 protocol (IPPROTO_*, 1-255). */
  addProtocol(proto: number): this {
    checkInteger(proto, 'addProtocol: proto', 1, 255);
    const c = conditionsOf(this);
    if (c.proto !== null) throw new RangeError('addProtocol: the protocol is already present');
    c.proto = proto;
    return this;
  }

  /** A port of the original direction; needs a TCP/UDP/DCCP/SCTP/UDPLite protocol first. */
  addPort(type: number, port: number): this {
    checkType(type, PORT_TYPES, 'addPort: type', 'ConntrackOrigSrcPort or ConntrackOrigDstPort');
    checkInteger(port, 'addPort: port', 0, 65535);
    const c = conditionsOf(this);
    if (c.proto === null || !PORT_PROTOCOLS.has(c.proto))
      throw new TypeError(
        `addPort: ports need a TCP, UDP, DCCP, SCTP or UDPLite protocol set with addProtocol first (protocol: ${c.proto ?? 'none'})`,
      );
    if (c.ports.has(type)) throw new RangeError(`addPort: filter type ${type} is already present`);
    c.ports.set(type, port);
    return this;
  }

  /**
   * Labels (each a byte string, at most 16 bytes). ConntrackMatchLabels: the
   * flow's labels contain every one; ConntrackUnmatchLabels: none of them.
   * Containment is vishvananda's bytes.Contains; a flow without labels
   * never matches a label condition.
   */
  addLabels(type: number, labels: Uint8Array[]): this {
    checkType(type, LABEL_TYPES, 'addLabels: type', 'ConntrackMatchLabels or ConntrackUnmatchLabels');
    if (!Array.isArray(labels)) throw new TypeError('addLabels: labels must be an array of Buffers');
    if (labels.length === 0) throw new RangeError('addLabels: labels must not be empty');
    for (const l of labels) {
      if (!(l instanceof Uint8Array)) throw new TypeError('addLabels: every label must be a Buffer or Uint8Array');
      if (l.length > 16) throw new RangeError(`addLabels: a label is ${l.length} bytes; conntrack labels are 16`);
    }
    const c = conditionsOf(this);
    if (c.labels.has(type)) throw new RangeError(`addLabels: filter type ${type} is already present`);
    c.labels.set(
      type,
      labels.map((l) => Uint8Array.from(l)),
    );
    return this;
  }

  /** The conntrack zone (0-65535; 0 is the default zone). */
  addZone(zone: number): this {
    checkInteger(zone, 'addZone: zone', 0, 65535);
    const c = conditionsOf(this);
    if (c.zone !== null) throw new RangeError('addZone: the zone is already present');
    c.zone = zone;
    return this;
  }

  /** (flow.mark & mask) === value. value must lie within mask. */
  addMark(value: number, mask = 0xffffffff): this {
    checkInteger(value, 'addMark: value', 0, 0xffffffff);
    checkInteger(mask, 'addMark: mask', 1, 0xffffffff);
    if ((value & ~mask) >>> 0 !== 0)
      throw new RangeError(`addMark: value 0x${value.toString(16)} has bits outside mask 0x${mask.toString(16)}`);
    const c = conditionsOf(this);
    if (c.mark !== null) throw new RangeError('addMark: the mark is already present');
    c.mark = { value, mask };
    return this;
  }

  /** IPS_* bits: ConntrackMatchStatus — all set; ConntrackUnmatchStatus — none set. */
  addStatus(type: number, bits: number): this {
    checkType(type, STATUS_TYPES, 'addStatus: type', 'ConntrackMatchStatus or ConntrackUnmatchStatus');
    checkInteger(bits, 'addStatus: bits', 1, 0xffffffff);
    const c = conditionsOf(this);
    if (c.status.has(type)) throw new RangeError(`addStatus: filter type ${type} is already present`);
    c.status.set(type, bits);
    return this;
  }

  /** True when the filter has no condition (and so matches nothing). */
  get empty(): boolean {
    const c = conditionsOf(this);
    return (
      c.ipNets.size === 0 &&
      c.proto === null &&
      c.ports.size === 0 &&
      c.labels.size === 0 &&
      c.zone === null &&
      c.mark === null &&
      c.status.size === 0
    );
  }

  matchConntrackFlow(flow: ConntrackFlow): boolean {
    const c = conditionsOf(this);
    if (this.empty) return false;
    if (c.proto !== null && flow.forward.protocol !== c.proto) return false;
    if (c.zone !== null && flow.zone !== c.zone) return false;
    if (c.mark !== null && ((flow.mark ?? 0) & c.mark.mask) >>> 0 !== c.mark.value) return false;
    const status = flow.status ?? 0;
    const all = c.status.get(ConntrackMatchStatus);
    if (all !== undefined && (status & all) >>> 0 !== all) return false;
    const none = c.status.get(ConntrackUnmatchStatus);
    if (none !== undefined && (status & none) !== 0) return false;
    const net = (t: number): IpNet | undefined => c.ipNets.get(t);
    let n: IpNet | undefined;
    if ((n = net(ConntrackOrigSrcIP)) && !contains(n, flow.forward.srcIp)) return false;
    if ((n = net(ConntrackOrigDstIP)) && !contains(n, flow.forward.dstIp)) return false;
    if ((n = net(ConntrackReplySrcIP)) && !contains(n, flow.reverse.srcIp)) return false;
    if ((n = net(ConntrackReplyDstIP)) && !contains(n, flow.reverse.dstIp)) return false;
    if ((n = net(ConntrackReplyAnyIP)) && !contains(n, flow.reverse.srcIp) && !contains(n, flow.reverse.dstIp)) return false;
    const sp = c.ports.get(ConntrackOrigSrcPort);
    if (sp !== undefined && (flow.forward.srcPort ?? 0) !== sp) return false;
    const dp = c.ports.get(ConntrackOrigDstPort);
    if (dp !== undefined && (flow.forward.dstPort ?? 0) !== dp) return false;
    if (c.labels.size > 0) {
      const l = flow.labels;
      if (l === null || l.length === 0) return false;
      for (const x of c.labels.get(ConntrackMatchLabels) ?? []) if (!bytesContain(l, x)) return false;
      for (const x of c.labels.get(ConntrackUnmatchLabels) ?? []) if (bytesContain(l, x)) return false;
    }
    return true;
  }
}

function checkType(type: unknown, allowed: Set<number>, name: string, what: string): asserts type is number {
  if (typeof type !== 'number') throw new TypeError(`${name} must be a number, got ${typeof type}`);
  if (!allowed.has(type)) throw new RangeError(`${name} must be ${what}, got ${typeName(type)}`);
}
