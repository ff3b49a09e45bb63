// Every argument check of the facade, in one place: TypeError for a wrong
// type, RangeError for a value out of range, each naming the argument, before
// anything is sent to the kernel. Options are read from their own properties
// only: whatever some other code put on Object.prototype (a `netns`, a
// `timeoutMs`) never counts.
import { SocketAddress } from 'node:net';
import {
  ConntrackExpectTable,
  ConntrackTable,
  FAMILY_ALL,
  FAMILY_V4,
  FAMILY_V6,
  NETLINK_NETFILTER,
  NETLINK_ROUTE,
  NETLINK_XFRM,
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
import { ConntrackFilter } from './conntrack-filter';
import { MAX_CONNTRACK_FILTERS } from './conntrack-wire';
import { defaultLogger, type Logger } from './retry';
import type { ListOptions } from './types/addr';
import type { CustomConntrackFilter } from './types/conntrack';
import type { RouteFilter } from './types/route';

/** IFNAMSIZ: names up to 15 bytes go in IFLA_IFNAME. */
export const IFNAMSIZ = 16;
/** ALTIFNAMSIZ: alternative names up to 127 bytes. */
export const ALTIFNAMSIZ = 128;

export function checkInteger(value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
}

export function checkIfindex(value: unknown, name: string): asserts value is number {
  checkInteger(value, name, 1, 2 ** 31 - 1);
}

export function checkLinkName(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
  const bytes = Buffer.byteLength(value);
  if (bytes === 0) throw new RangeError(`${name} must not be empty`);
  if (bytes >= ALTIFNAMSIZ) throw new RangeError(`${name} is ${bytes} bytes; link names are at most ${ALTIFNAMSIZ - 1}`);
  if (value.includes('\0')) throw new RangeError(`${name} must not contain NUL`);
}

/** `o[key]` when it is an own property of `o`, else undefined; the value is read once. */
export function ownProp(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/** The own enumerable properties of `o` on an object without a prototype: what the addon is given. */
export function bare<T extends object>(o: T): T {
  return Object.assign(Object.create(null) as T, o);
}

// ---- Handle ----

export interface HandleOptions {
  /** A name under /var/run/netns, a path (/proc/PID/ns/net), or an open fd. Default: the caller's namespace. */
  netns?: string | number;
  /** Netlink protocols to open: NETLINK_ROUTE (0), NETLINK_XFRM (6), NETLINK_NETFILTER (12). Default: all three. */
  families?: number[];
  /** Complete attempts of a dump while the kernel flags it interrupted. Default 5. */
  maxAttempts?: number;
  /** When every attempt was interrupted: return the last results (default) or reject. */
  onInterrupted?: 'return' | 'throw';
  /** Per-request timeout; expiry rejects with code 'ETIMEDOUT'. Default 60 000. */
  timeoutMs?: number;
  /** Receives the exhausted-retries warning. Default: debug('nlwrap') + one process warning. */
  logger?: Logger;
}

const OPTION_KEYS = new Set(['netns', 'families', 'maxAttempts', 'onInterrupted', 'timeoutMs', 'logger']);
const PROTOCOLS = [NETLINK_ROUTE, NETLINK_XFRM, NETLINK_NETFILTER];
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function nsTarget(netns: string | number): { nsPath?: string; nsFd?: number } {
  if (typeof netns === 'number') {
    if (!Number.isInteger(netns) || netns < 0 || netns > 2 ** 31 - 1)
      throw new RangeError(`options.netns: an fd must be an integer >= 0, got ${netns}`);
    return { nsFd: netns };
  }
  if (typeof netns !== 'string') throw new TypeError('options.netns must be a namespace name, a path or an fd');
  if (netns.length === 0 || netns.includes('\0'))
    throw new RangeError('options.netns must be a non-empty name or path without NUL');
  if (netns.includes('/')) return { nsPath: netns };
  if (netns === '.' || netns === '..') throw new RangeError(`options.netns: invalid namespace name ${netns}`);
  return { nsPath: `/var/run/netns/${netns}` };
}

export function checkOptions(
  options: HandleOptions | undefined,
): Required<Omit<HandleOptions, 'netns'>> & { netns?: string | number } {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError('Handle options must be an object');
  for (const k of Object.keys(options)) if (!OPTION_KEYS.has(k)) throw new TypeError(`unknown Handle option '${k}'`);
  const opt = (key: keyof HandleOptions): unknown => ownProp(options as object, key);
  const families = opt('families') ?? PROTOCOLS;
  if (!Array.isArray(families) || families.length === 0)
    throw new TypeError('options.families must be a non-empty array of NETLINK_ROUTE, NETLINK_XFRM, NETLINK_NETFILTER');
  const fams: number[] = [...(families as unknown[])] as number[];
  for (const f of fams)
    if (!PROTOCOLS.includes(f)) throw new RangeError(`options.families: unsupported netlink protocol ${String(f)}`);
  if (new Set(fams).size !== fams.length) throw new RangeError('options.families lists a protocol twice');
  const maxAttempts = opt('maxAttempts') ?? 5;
  checkInteger(maxAttempts, 'options.maxAttempts', 1, 1000);
  const onInterrupted = opt('onInterrupted') ?? 'return';
  if (onInterrupted !== 'return' && onInterrupted !== 'throw')
    throw new RangeError(`options.onInterrupted must be 'return' or 'throw', got ${String(onInterrupted)}`);
  const timeoutMs = opt('timeoutMs') ?? 60_000;
  checkInteger(timeoutMs, 'options.timeoutMs', 1, MAX_TIMEOUT_MS);
  const logger = (opt('logger') ?? defaultLogger) as Logger;
  if (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function')
    throw new TypeError('options.logger must be an object with a warn(message, details) method');
  const netns = opt('netns') as string | number | undefined;
  return { netns, families: fams, maxAttempts, onInterrupted, timeoutMs, logger };
}

/** An option read as an own property only (a prototype's property never counts). */
export function ownOption(options: unknown, key: string): unknown {
  return typeof options === 'object' && options !== null ? ownProp(options, key) : undefined;
}

// ---- families, links ----

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

/** FAMILY_ALL (the default), FAMILY_V4 or FAMILY_V6: the one family check of every call. */
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

// ---- routes ----

const U32 = 2 ** 32 - 1;

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

// ---- conntrack ----

export function checkConntrackArgs(table: unknown, family: unknown): void {
  if (typeof table !== 'number') throw new TypeError(`table must be a number, got ${typeof table}`);
  if (table !== ConntrackTable && table !== ConntrackExpectTable)
    throw new RangeError(`table must be ConntrackTable (1) or ConntrackExpectTable (2), got ${table}`);
  // Required here, where the list calls default it.
  if (family === undefined) throw new TypeError('family must be a number, got undefined');
  familyArg(family);
}

/** True when every filter is a ConntrackFilter; TypeError for anything that is not a filter. */
export function checkFilters(filters: unknown[], name: string): boolean {
  if (filters.length > MAX_CONNTRACK_FILTERS)
    throw new RangeError(`${name}: at most ${MAX_CONNTRACK_FILTERS} filters per call, got ${filters.length}`);
  let builtIn = true;
  filters.forEach((f, i) => {
    if (f instanceof ConntrackFilter) return;
    if (typeof f !== 'object' || f === null || typeof (f as CustomConntrackFilter).matchConntrackFlow !== 'function')
      throw new TypeError(`${name}: filters[${i}] is neither a ConntrackFilter nor an object with matchConntrackFlow(flow)`);
    builtIn = false;
  });
  return builtIn;
}

// ---- subscriptions and streams ----

export const DEFAULT_MAX_QUEUED = 16_384;
const MAX_QUEUED = 1 << 24;
const MAX_BUFFER = 2 ** 31 - 1;
const SUBSCRIBE_KEYS = ['listExisting', 'receiveBufferSize', 'receiveBufferForceSize', 'maxQueued', 'signal'];

export interface CheckedSubscribeOptions {
  listExisting: boolean;
  rcvbuf: number;
  rcvbufForce: boolean;
  maxQueued: number;
  signal: AbortSignal | null;
}

/**
 * Validates subscribe options (own properties only); `extra` names a
 * caller's own keys; a watch takes no listExisting (`listing` false).
 */
export function checkSubscribeOptions(
  options: unknown,
  name: string,
  extra: string[] = [],
  listing = true,
): CheckedSubscribeOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${name}: options must be an object`);
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o))
    if ((!SUBSCRIBE_KEYS.includes(k) || (!listing && k === 'listExisting')) && !extra.includes(k))
      throw new TypeError(`${name}: unknown option '${k}'`);
  const own = (k: string): unknown => ownProp(o, k);
  const listExisting = own('listExisting') ?? false;
  if (typeof listExisting !== 'boolean') throw new TypeError(`${name}: options.listExisting must be a boolean`);
  const size = own('receiveBufferSize');
  const force = own('receiveBufferForceSize');
  if (size !== undefined && force !== undefined)
    throw new TypeError(`${name}: give options.receiveBufferSize or options.receiveBufferForceSize, not both`);
  if (size !== undefined) checkInteger(size, `${name}: options.receiveBufferSize`, 1, MAX_BUFFER);
  if (force !== undefined) checkInteger(force, `${name}: options.receiveBufferForceSize`, 1, MAX_BUFFER);
  const maxQueued = own('maxQueued') ?? DEFAULT_MAX_QUEUED;
  checkInteger(maxQueued, `${name}: options.maxQueued`, 1, MAX_QUEUED);
  const signal = own('signal') ?? null;
  if (signal !== null && !(signal instanceof AbortSignal)) throw new TypeError(`${name}: options.signal must be an AbortSignal`);
  return {
    listExisting,
    rcvbuf: (force ?? size ?? 0) as number,
    rcvbufForce: force !== undefined,
    maxQueued,
    signal,
  };
}

export interface CheckedStreamOptions {
  highWaterMark: number;
  signal: AbortSignal | null;
}

const STREAM_KEYS = ['highWaterMark', 'signal'];

/** Validates stream options (own properties only); `extra` names a caller's own keys. */
export function checkStreamOptions(options: unknown, name: string, extra: string[] = []): CheckedStreamOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${name}: options must be an object`);
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!STREAM_KEYS.includes(k) && !extra.includes(k)) throw new TypeError(`${name}: unknown option '${k}'`);
  const own = (k: string): unknown => ownProp(o, k);
  const highWaterMark = own('highWaterMark') ?? 2;
  checkInteger(highWaterMark, `${name}: options.highWaterMark`, 1, 64);
  const signal = own('signal') ?? null;
  if (signal !== null && !(signal instanceof AbortSignal)) throw new TypeError(`${name}: options.signal must be an AbortSignal`);
  return { highWaterMark, signal };
}

/** Options of addrStream / routeStream / routeStreamFiltered: the list call's and the stream's. */
export function checkListStreamOptions(options: unknown, name: string): { kernelFilter: boolean; stream: CheckedStreamOptions } {
  const stream = checkStreamOptions(options, name, ['kernelFilter']);
  const v = ownOption(options, 'kernelFilter');
  if (v !== undefined && typeof v !== 'boolean')
    throw new TypeError(`${name}: options.kernelFilter must be a boolean, got ${typeof v}`);
  return { kernelFilter: v ?? true, stream };
}
