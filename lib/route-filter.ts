// Arguments and client-side filters of addrList / routeList /
// routeListFiltered. The checks run before anything is sent (TypeError /
// RangeError naming the argument). The filters reproduce vishvananda/netlink
// v1.3's semantics; the facade applies them to every reply, whether or not
// the kernel already filtered (kernel-side filtering only narrows what is
// read: its "route uses this device" test is looser than vishvananda's OIF).
import { SocketAddress } from 'node:net';
import {
  FAMILY_ALL,
  FAMILY_V4,
  FAMILY_V6,
  RT_FILTER_DST,
  RT_FILTER_GW,
  RT_FILTER_HOPLIMIT,
  RT_FILTER_IIF,
  RT_FILTER_MARK,
  RT_FILTER_MASK,
  RT_FILTER_OIF,
  RT_FILTER_PRIORITY,
  RT_FILTER_PROTOCOL,
  RT_FILTER_REALM,
  RT_FILTER_SCOPE,
  RT_FILTER_SRC,
  RT_FILTER_TABLE,
  RT_FILTER_TOS,
  RT_FILTER_TYPE,
} from './constants';
import type { Addr, ListOptions } from './types/addr';
import type { Route, RouteFilter } from './types/route';
import { bare, checkIfindex, checkInteger, ownProp } from './validate';

const RT_TABLE_MAIN = 254;
const RTM_F_CLONED = 0x200;
const U32 = 2 ** 32 - 1;

/**
 * The ifindex of addrList/routeList's `link`: a Link (its own `index`, read
 * once, so a getter cannot pass the check with one value and be sent with
 * another), an ifindex, or null for all.
 */
export function linkIndexArg(link: unknown, name = 'link'): number {
  if (link === null || link === undefined) return 0;
  if (typeof link === 'number') {
    checkIfindex(link, name);
    return link;
  }
  if (typeof link === 'object' && Object.hasOwn(link, 'index')) {
    const index = ownProp(link, 'index');
    checkIfindex(index, `${name}.index`);
    return index;
  }
  throw new TypeError(`${name} must be a Link, an ifindex or null, got ${typeof link}`);
}

export function familyArg(family: unknown, name = 'family'): number {
  if (family === undefined) return FAMILY_ALL;
  if (typeof family !== 'number')
    throw new TypeError(`${name} must be a number (FAMILY_ALL, FAMILY_V4, FAMILY_V6), got ${typeof family}`);
  if (family !== FAMILY_ALL && family !== FAMILY_V4 && family !== FAMILY_V6)
    throw new RangeError(`${name} must be FAMILY_ALL (0), FAMILY_V4 (2) or FAMILY_V6 (10), got ${family}`);
  return family;
}

/** Whether to put filters in the request (default true). */
export function kernelFilterArg(options: unknown): boolean {
  if (options === undefined || options === null) return true;
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError('options must be an object');
  for (const k of Object.keys(options)) if (k !== 'kernelFilter') throw new TypeError(`unknown option '${k}'`);
  const v = ownProp(options, 'kernelFilter') as ListOptions['kernelFilter'];
  if (v === undefined) return true;
  if (typeof v !== 'boolean') throw new TypeError(`options.kernelFilter must be a boolean, got ${typeof v}`);
  return v;
}

export function addrMatches(a: Addr, index: number, family: number): boolean {
  return (index === 0 || a.linkIndex === index) && (family === FAMILY_ALL || a.family === family);
}

/** An IP address in the canonical form the parsers print, or a RangeError. */
function canonicalIp(value: string, name: string, family?: number): { addr: string; v6: boolean } {
  const v6 = value.includes(':');
  let addr: string;
  try {
    if (value.includes('%')) throw new Error('zone');
    addr = new SocketAddress({ address: value, family: v6 ? 'ipv6' : 'ipv4' }).address;
  } catch {
    throw new RangeError(`${name} must be an IPv4 or IPv6 address, got '${value}'`);
  }
  if (family !== undefined && family !== FAMILY_ALL && (family === FAMILY_V6) !== v6)
    throw new RangeError(`${name} '${value}' is not of the requested family ${family}`);
  return { addr, v6 };
}

/** A checked filter: IPs canonical, every field the mask names present. */
export interface CheckedRouteFilter {
  mask: number;
  protocol: number;
  scope: number;
  type: number;
  tos: number;
  iLinkIndex: number;
  linkIndex: number;
  /** null: the default route ('0.0.0.0/0' or '::/0'). */
  dst: string | null;
  src: string | null;
  gw: string | null;
  table: number;
  hoplimit: number;
  priority: number;
  realm: number;
}

const NUMERIC: [number, keyof RouteFilter, number][] = [
  [RT_FILTER_PROTOCOL, 'protocol', 255],
  [RT_FILTER_SCOPE, 'scope', 255],
  [RT_FILTER_TYPE, 'type', 255],
  [RT_FILTER_TOS, 'tos', 255],
  [RT_FILTER_IIF, 'iLinkIndex', 2 ** 31 - 1],
  [RT_FILTER_OIF, 'linkIndex', 2 ** 31 - 1],
  [RT_FILTER_TABLE, 'table', U32],
  [RT_FILTER_HOPLIMIT, 'hoplimit', 255],
  [RT_FILTER_PRIORITY, 'priority', U32],
  [RT_FILTER_REALM, 'realm', U32],
];
const KNOWN_BITS = NUMERIC.reduce((m, [bit]) => m | bit, RT_FILTER_DST | RT_FILTER_SRC | RT_FILTER_GW);

export function routeFilterArg(filter: unknown, mask: unknown, family: number): CheckedRouteFilter {
  if (mask === undefined) mask = 0;
  checkInteger(mask, 'filterMask', 0, 2 ** 31 - 1);
  if (mask & (RT_FILTER_MARK | RT_FILTER_MASK))
    throw new RangeError('filterMask: RT_FILTER_MARK and RT_FILTER_MASK apply to route lookups, not to route lists');
  if (mask & ~KNOWN_BITS) throw new RangeError(`filterMask has unknown bits 0x${(mask & ~KNOWN_BITS).toString(16)}`);
  if (filter !== null && filter !== undefined && (typeof filter !== 'object' || Array.isArray(filter)))
    throw new TypeError('filter must be a partial Route object or null');
  if (mask !== 0 && (filter === null || filter === undefined))
    throw new TypeError('filter is null but filterMask selects fields');
  // Own properties only, each read once.
  const f = bare((filter ?? {}) as Record<string, unknown>);
  const out: CheckedRouteFilter = {
    mask,
    protocol: 0,
    scope: 0,
    type: 0,
    tos: 0,
    iLinkIndex: 0,
    linkIndex: 0,
    dst: null,
    src: null,
    gw: null,
    table: 0,
    hoplimit: 0,
    priority: 0,
    realm: 0,
  };
  for (const [bit, key, max] of NUMERIC) {
    if (!(mask & bit)) continue;
    const v = f[key];
    if (v === undefined) throw new TypeError(`filter.${key} is required by the filter mask`);
    checkInteger(v, `filter.${key}`, 0, max);
    (out as unknown as Record<string, number>)[key] = v;
  }
  for (const [bit, key] of [
    [RT_FILTER_SRC, 'src'],
    [RT_FILTER_GW, 'gw'],
  ] as const) {
    if (!(mask & bit)) continue;
    const v = f[key];
    if (v === undefined) throw new TypeError(`filter.${key} is required by the filter mask (null: routes without one)`);
    if (v === null) continue;
    if (typeof v !== 'string') throw new TypeError(`filter.${key} must be an IP address string or null`);
    out[key] = canonicalIp(v, `filter.${key}`, family).addr;
  }
  if (mask & RT_FILTER_DST) {
    const v = f.dst;
    if (v === undefined) throw new TypeError('filter.dst is required by the filter mask (null: the default route)');
    if (v !== null) {
      if (typeof v !== 'string') throw new TypeError('filter.dst must be a CIDR string or null');
      const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
      if (!m) throw new RangeError(`filter.dst must be a CIDR string like '10.0.0.0/24', got '${v}'`);
      const { addr, v6 } = canonicalIp(m[1], 'filter.dst', family);
      const len = Number(m[2]);
      if (len > (v6 ? 128 : 32)) throw new RangeError(`filter.dst: prefix length ${len} out of range`);
      out.dst = `${addr}/${len}`;
    }
  }
  return out;
}

/** The arguments of the route.dump op: what the kernel can filter on. */
export function routeDumpArgs(family: number, f: CheckedRouteFilter, kernelFilter: boolean): Record<string, number | boolean> {
  return {
    family,
    kernelFilter,
    // No RT_FILTER_TABLE: the main table only (vishvananda); table 0: all.
    table: f.mask & RT_FILTER_TABLE ? f.table : RT_TABLE_MAIN,
    protocol: f.mask & RT_FILTER_PROTOCOL ? f.protocol : 0,
    type: f.mask & RT_FILTER_TYPE ? f.type : 0,
    oif: f.mask & RT_FILTER_OIF ? f.linkIndex : 0,
  };
}

/** vishvananda's RouteListFilteredIter test, every selected field ANDed. */
export function routeMatches(r: Route, family: number, f: CheckedRouteFilter): boolean {
  const m = f.mask;
  if (family !== FAMILY_ALL && r.family !== family) return false;
  if (r.flags & RTM_F_CLONED) return false;
  if (m & RT_FILTER_TABLE) {
    if (f.table !== 0 && r.table !== f.table) return false;
  } else if (r.table !== RT_TABLE_MAIN) return false;
  if (m & RT_FILTER_PROTOCOL && r.protocol !== f.protocol) return false;
  if (m & RT_FILTER_SCOPE && r.scope !== f.scope) return false;
  if (m & RT_FILTER_TYPE && r.type !== f.type) return false;
  if (m & RT_FILTER_TOS && r.tos !== f.tos) return false;
  if (m & RT_FILTER_REALM && (r.realm ?? 0) !== f.realm) return false;
  if (m & RT_FILTER_OIF && (r.linkIndex ?? 0) !== f.linkIndex) return false;
  if (m & RT_FILTER_IIF && (r.iLinkIndex ?? 0) !== f.iLinkIndex) return false;
  if (m & RT_FILTER_GW && r.gw !== f.gw) return false;
  if (m & RT_FILTER_SRC && r.src !== f.src) return false;
  if (m & RT_FILTER_DST) {
    if (f.dst === null ? r.dst !== '0.0.0.0/0' && r.dst !== '::/0' : r.dst !== f.dst) return false;
  }
  if (m & RT_FILTER_HOPLIMIT && (r.hoplimit ?? 0) !== f.hoplimit) return false;
  if (m & RT_FILTER_PRIORITY && (r.priority ?? 0) !== f.priority) return false;
  return true;
}
