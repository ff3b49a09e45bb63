// Handle: netlink sockets in one network namespace, the retry policy, and
// every list call. Methods are async and never throw synchronously: argument
// errors, a closed handle and kernel errors all arrive as rejections.
import createDebug from 'debug';
import { binding, type NativeArgs, type NativeEnd, type NativeHandle } from './binding';
import {
  ConntrackExpectTable,
  ConntrackTable,
  FAMILY_ALL,
  FAMILY_V4,
  FAMILY_V6,
  NETLINK_NETFILTER,
  NETLINK_ROUTE,
  NETLINK_XFRM,
  RT_FILTER_OIF,
} from './constants';
import type { DeleteOutcome, Root, Roots } from './decode';
import { ConntrackDeleteError, fromNative, handleClosedError, LinkNotFoundError, NetlinkError } from './errors';
import { callerStack, defaultLogger, withRetries, type HandleStats, type Logger, type RetryPolicy } from './retry';
import type { Link } from './types/link';
import type { Addr, ListOptions } from './types/addr';
import type { Route, RouteFilter } from './types/route';
import {
  addrMatches,
  familyArg,
  kernelFilterArg,
  linkIndexArg,
  routeDumpArgs,
  routeFilterArg,
  routeMatches,
  type CheckedRouteFilter,
} from './route-filter';
import type { XfrmPolicy, XfrmState } from './types/xfrm';
import { ConntrackFilter } from './conntrack-filter';
import { nativeRequest } from './native-request';
import {
  checkSubscribeOptions,
  failedStream,
  Subscription,
  type CheckedSubscribeOptions,
  type EventRecord,
  type SubscribeOptions,
} from './subscription';
import { Watch } from './watch';
import {
  addrUpdate,
  existingAddr,
  existingLink,
  existingRoute,
  linkUpdate,
  routeUpdate,
  rtnetlinkUpdate,
  type AddrUpdate,
  type LinkUpdate,
  type RouteUpdate,
} from './updates';
import { RT_FILTER_TABLE } from './constants';
import {
  IFF_UP,
  NLM_F_REPLACE,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_DELROUTE,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV6_IFADDR,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_LINK,
} from './uapi';
import { encodeFilters, encodeIdentities, kernelFilterArgs, MAX_CONNTRACK_FILTERS } from './conntrack-wire';
import type { ConntrackFlow, CustomConntrackFilter } from './types/conntrack';
import { bare, checkIfindex, checkInteger, checkLinkName, IFNAMSIZ, ownProp } from './validate';
import { checkXfrmFamily, hideKeys } from './xfrm';

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

/** Counters of one handle; see HandleStats. */
export interface HandleCounters extends HandleStats {
  /** Bytes received from the kernel, all calls. */
  bytesReceived: number;
  /** Data messages received from the kernel, all calls. */
  messagesReceived: number;
}

// debug namespaces: DEBUG=nlwrap:* shows every request and namespace opened.
const debugSocket = createDebug('nlwrap:socket');
const debugNetns = createDebug('nlwrap:netns');

const OPTION_KEYS = new Set(['netns', 'families', 'maxAttempts', 'onInterrupted', 'timeoutMs', 'logger']);
const PROTOCOLS = [NETLINK_ROUTE, NETLINK_XFRM, NETLINK_NETFILTER];
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function nsTarget(netns: string | number): { nsPath?: string; nsFd?: number } {
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

function checkOptions(options: HandleOptions | undefined): Required<Omit<HandleOptions, 'netns'>> & { netns?: string | number } {
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

/** A conntrack delete's result: how many were deleted, the failures, and why it stopped early if it did. */
interface DeleteResult {
  deleted: number;
  errors: NetlinkError[];
  stop?: NetlinkError;
}

/** The records each operation's reply holds (its root schema). */
const OP_ROOTS = {
  'link.dump': 'link',
  'link.get': 'link',
  'addr.dump': 'addr',
  'route.dump': 'route',
  'xfrm.policy.dump': 'xfrm_policy',
  'xfrm.state.dump': 'xfrm_state',
  'ct.dump': 'ct_flow',
  'ct.delete': 'ct_outcome',
  'ct.deleteExact': 'ct_outcome',
} as const satisfies Record<string, Root>;
type Op = keyof typeof OP_ROOTS;
/** The objects a reply of `O` decodes to. */
type ItemOf<O extends Op> = Roots[(typeof OP_ROOTS)[O]];

function checkConntrackArgs(table: unknown, family: unknown): void {
  if (typeof table !== 'number') throw new TypeError(`table must be a number, got ${typeof table}`);
  if (table !== ConntrackTable && table !== ConntrackExpectTable)
    throw new RangeError(`table must be ConntrackTable (1) or ConntrackExpectTable (2), got ${table}`);
  if (typeof family !== 'number') throw new TypeError(`family must be a number, got ${typeof family}`);
  if (family !== FAMILY_ALL && family !== FAMILY_V4 && family !== FAMILY_V6)
    throw new RangeError(`family must be FAMILY_ALL (0), FAMILY_V4 (2) or FAMILY_V6 (10), got ${family}`);
}

/** True when every filter is a ConntrackFilter; TypeError for anything that is not a filter. */
function checkFilters(filters: unknown[], name: string): boolean {
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

function describeFlow(f: ConntrackFlow | null): string {
  if (!f) return 'flow';
  const t = f.forward;
  const ports = t.srcPort !== null ? ` sport=${t.srcPort} dport=${t.dstPort}` : '';
  return `flow proto=${t.protocol} src=${t.srcIp} dst=${t.dstIp}${ports} zone=${f.zone} id=${f.id}`;
}

function timedOut(name: string): NetlinkError {
  return new NetlinkError(`${name}: netlink request timed out`, 'ETIMEDOUT', 110, name);
}

function deleteResult(
  name: string,
  deleted: number,
  outcomes: DeleteOutcome[],
  flowAt: (i: number) => ConntrackFlow | null,
): DeleteResult {
  const stopped = outcomes.find((o) => o.stopped === true);
  const stop = stopped
    ? new NetlinkError(`${name}: ${stopped.message ?? stopped.code}`, stopped.code as string, stopped.errnum ?? 0, name)
    : undefined;
  return { deleted, errors: deleteErrors(name, outcomes, flowAt), stop };
}

function deleteErrors(name: string, outcomes: DeleteOutcome[], flowAt: (i: number) => ConntrackFlow | null): NetlinkError[] {
  return outcomes
    .filter((o) => o.code !== null && o.stopped !== true)
    .map((o) => {
      const flow = o.flow ?? flowAt(o.index as number);
      const err = new NetlinkError(
        `${name}: deleting ${describeFlow(flow)} failed: ${o.code}`,
        o.code as string,
        o.errnum ?? 0,
        name,
      );
      return Object.assign(err, { flow });
    });
}

/** An option read as an own property only (a prototype's property never counts). */
function ownOption(options: unknown, key: string): unknown {
  if (typeof options !== 'object' || options === null) return undefined;
  return Object.prototype.hasOwnProperty.call(options, key) ? (options as Record<string, unknown>)[key] : undefined;
}

/** Options of the watch* calls: a subscription's, without listExisting (a watch always lists). */
export type WatchOptions = Omit<SubscribeOptions, 'listExisting'>;

// Watch identities: the kernel's identity of each object.
const linkKey = (l: Link): string => String(l.index);
const addrKey = (a: Addr): string => `${a.linkIndex}|${a.family}|${a.ipNet}|${a.peer ?? ''}`;
// IPv6 keeps routes to one prefix with one metric on several links (every
// link's fe80::/64): the output link is part of an IPv6 route's identity.
const routeKey = (r: Route): string =>
  `${r.family}|${r.table}|${r.dst}|${r.tos}|${r.priority ?? ''}` + (r.family === FAMILY_V6 ? `|${r.linkIndex ?? ''}` : '');
// Fields the kernel changes by itself: counters, lifetimes, cache ages.
const LINK_VOLATILE = ['statistics'];
const ADDR_VOLATILE = ['preferedLft', 'validLft'];
const ROUTE_VOLATILE = ['cacheInfo', 'expires'];

/** The multicast groups of one family or both. */
function groupsOf(family: number, v4: number, v6: number): number[] {
  if (family === FAMILY_V4) return [v4];
  if (family === FAMILY_V6) return [v6];
  return [v4, v6];
}

export class Handle {
  readonly #native: NativeHandle;
  readonly #policy: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #stats: HandleCounters = {
    calls: 0,
    interruptedAttempts: 0,
    exhaustedCalls: 0,
    bytesReceived: 0,
    messagesReceived: 0,
  };
  /** Set for good when the kernel refuses RTM_GETLINK by name (EINVAL). */
  #linkByNameByDump = false;

  /**
   * Opens the sockets at once: bad options throw TypeError/RangeError, and a
   * namespace that cannot be opened throws a NetlinkError (ENOENT, EPERM, ...).
   */
  constructor(options?: HandleOptions) {
    const o = checkOptions(options);
    const target = o.netns === undefined ? {} : nsTarget(o.netns);
    this.#policy = { maxAttempts: o.maxAttempts, onInterrupted: o.onInterrupted, logger: o.logger };
    this.#timeoutMs = o.timeoutMs;
    try {
      // Exactly these keys, on an object without a prototype.
      this.#native = new binding.NativeHandle(bare({ ...target, protocols: o.families }));
      debugNetns(
        'handle opened in %s, protocols %o',
        target.nsPath ?? (target.nsFd !== undefined ? `fd ${target.nsFd}` : "the caller's namespace"),
        o.families,
      );
    } catch (err) {
      throw fromNative(err, 'Handle');
    }
  }

  /** Idempotent. In-flight calls reject with 'ERR_HANDLE_CLOSED'; later calls too. */
  close(): void {
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  get closed(): boolean {
    return this.#native.closed;
  }

  /** A snapshot of this handle's counters. */
  get stats(): HandleCounters {
    return { ...this.#stats };
  }

  // ---- links ----

  /** Every link in the namespace (RTM_GETLINK dump). */
  linkList(): Promise<Link[]> {
    const site = callerStack(this.linkList);
    return this.#dump('linkList', 'link.dump', {}, site);
  }

  /**
   * One link by name: IFLA_IFNAME, or IFLA_ALT_IFNAME for names longer than
   * 15 bytes. Kernels that answer EINVAL make this handle dump-and-match from
   * then on. Rejects with LinkNotFoundError when there is no such link.
   */
  async linkByName(name: string): Promise<Link> {
    const site = callerStack(this.linkByName);
    checkLinkName(name, 'name');
    if (!this.#linkByNameByDump) {
      const args = Buffer.byteLength(name) < IFNAMSIZ ? { name } : { altName: name };
      try {
        return await this.#getLink('linkByName', args, name);
      } catch (err) {
        if (!(err instanceof NetlinkError) || err.code !== 'EINVAL') throw err;
        this.#linkByNameByDump = true;
      }
    }
    const links = await this.#dump('linkByName', 'link.dump', {}, site);
    const found = links.find((l) => l.name === name || (l.altNames?.includes(name) ?? false));
    if (!found) throw new LinkNotFoundError(name, 'linkByName');
    return found;
  }

  /** One link by ifindex; LinkNotFoundError when there is none. */
  async linkByIndex(index: number): Promise<Link> {
    checkIfindex(index, 'index');
    return this.#getLink('linkByIndex', { index }, `index ${index}`);
  }

  async #getLink(name: string, args: NativeArgs, what: string): Promise<Link> {
    try {
      const links = await this.#request(name, 'link.get', args);
      if (links.length !== 1) throw new NetlinkError(`${name}: expected one link, got ${links.length}`, 'EBADMSG', 74, name);
      return links[0];
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENODEV') throw new LinkNotFoundError(what, name);
      throw err;
    }
  }

  // ---- addresses and routes ----

  /**
   * Addresses of one link (a Link or an ifindex) or of every link (null), of
   * one family (FAMILY_V4 / FAMILY_V6) or all (FAMILY_ALL). The kernel
   * filters by family, and by link when it supports strict dump checking
   * (4.20+); otherwise the link filter runs here, with the same result.
   * A link that does not exist rejects with LinkNotFoundError.
   */
  async addrList(link: Link | number | null, family: number = 0, options?: ListOptions): Promise<Addr[]> {
    const site = callerStack(this.addrList);
    const index = linkIndexArg(link);
    const fam = familyArg(family);
    const kernelFilter = kernelFilterArg(options);
    let kernelFiltered = false;
    let all: Addr[];
    try {
      all = await this.#dump('addrList', 'addr.dump', { family: fam, index, kernelFilter }, site, (r) => {
        kernelFiltered = r.result === 1;
      });
    } catch (err) {
      if (index !== 0 && err instanceof NetlinkError && err.code === 'ENODEV')
        throw new LinkNotFoundError(`index ${index}`, 'addrList');
      throw err;
    }
    const out = all.filter((a) => addrMatches(a, index, fam));
    // A strict kernel answers ENODEV for a missing link; without it, an empty
    // answer must be checked so both paths agree.
    if (index !== 0 && out.length === 0 && !kernelFiltered) await this.#linkExists('addrList', index);
    return out;
  }

  /**
   * Routes of the main table, cloned routes left out, like vishvananda's
   * RouteList: of every link (null) or whose output link is `link`.
   */
  routeList(link: Link | number | null, family: number = 0, options?: ListOptions): Promise<Route[]> {
    const site = callerStack(this.routeList);
    return this.#routeList('routeList', site, () => {
      const index = linkIndexArg(link);
      return [familyArg(family), index ? { linkIndex: index } : null, index ? RT_FILTER_OIF : 0, kernelFilterArg(options)];
    });
  }

  /**
   * Routes matching `filter` on the fields selected by `filterMask`
   * (RT_FILTER_* bits), with vishvananda's semantics: without RT_FILTER_TABLE
   * only the main table; with it, `filter.table` (0 = every table). Cloned
   * routes are left out. Table, protocol, type and output link also go in
   * the request so the kernel sends less.
   */
  routeListFiltered(family: number, filter: RouteFilter | null, filterMask: number, options?: ListOptions): Promise<Route[]> {
    const site = callerStack(this.routeListFiltered);
    return this.#routeList('routeListFiltered', site, () => [familyArg(family), filter, filterMask, kernelFilterArg(options)]);
  }

  async #routeList(name: string, site: { stack?: string }, args: () => [number, unknown, unknown, boolean]): Promise<Route[]> {
    const [family, filter, mask, kernelFilter] = args();
    const f: CheckedRouteFilter = routeFilterArg(filter, mask, family);
    const dumpArgs = routeDumpArgs(family, f, kernelFilter);
    let kernelFiltered = false;
    let all: Route[];
    try {
      all = await this.#dump(name, 'route.dump', dumpArgs, site, (r) => {
        kernelFiltered = r.result === 1;
      });
    } catch (err) {
      if (!(err instanceof NetlinkError)) throw err;
      // Strict kernels: a table that does not exist has no routes (the
      // unfiltered dump finds none either); a missing oif is a missing link.
      if (err.code === 'ENOENT' && dumpArgs.table !== 0) return [];
      if (err.code === 'ENODEV' && dumpArgs.oif !== 0) throw new LinkNotFoundError(`index ${String(dumpArgs.oif)}`, name);
      throw err;
    }
    // In place: `all` is this call's own array, and 100 000 routes that all
    // match need no second one.
    let n = 0;
    for (const r of all) if (routeMatches(r, family, f)) all[n++] = r;
    all.length = n;
    if (dumpArgs.oif !== 0 && n === 0 && !kernelFiltered) await this.#linkExists(name, dumpArgs.oif as number);
    return all;
  }

  /** Rejects with LinkNotFoundError when there is no link `index`. */
  async #linkExists(name: string, index: number): Promise<void> {
    await this.#getLink(name, { index }, `index ${index}`);
  }

  // ---- xfrm ----

  /**
   * Every XFRM policy (XFRM_MSG_GETPOLICY dump) whose selector family is
   * `family` (FAMILY_ALL, the default, FAMILY_V4 or FAMILY_V6), like
   * vishvananda's XfrmPolicyList.
   */
  async xfrmPolicyList(family?: number): Promise<XfrmPolicy[]> {
    const site = callerStack(this.xfrmPolicyList);
    const fam = checkXfrmFamily(family);
    return this.#dump('xfrmPolicyList', 'xfrm.policy.dump', { family: fam }, site);
  }

  /**
   * Every XFRM state (XFRM_MSG_GETSA dump) of SA family `family`, like
   * vishvananda's XfrmStateList. Algorithm keys are non-enumerable (see
   * XfrmStateAlgo): read them explicitly.
   */
  async xfrmStateList(family?: number): Promise<XfrmState[]> {
    const site = callerStack(this.xfrmStateList);
    const fam = checkXfrmFamily(family);
    return hideKeys(await this.#dump('xfrmStateList', 'xfrm.state.dump', { family: fam }, site));
  }

  // ---- conntrack ----

  /** Every flow (ConntrackTable) or expectation (ConntrackExpectTable) of a family. */
  conntrackTableList(table: number, family: number): Promise<ConntrackFlow[]> {
    const site = callerStack(this.conntrackTableList);
    try {
      checkConntrackArgs(table, family);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#dump('conntrackTableList', 'ct.dump', { table, family }, site);
  }

  /**
   * Deletes the flows that match any of the filters; resolves to how many
   * were deleted (a flow already gone, ENOENT, counts). ConntrackFilters are
   * matched natively on the dump and the deletes are pipelined; any custom
   * filter (an object with matchConntrackFlow) makes the call list the flows
   * in JS first. Each delete names the exact flow (tuple, zone, id). When
   * some deletes fail, the rest are still done and the call rejects with a
   * ConntrackDeleteError carrying .deleted and .errors. timeoutMs bounds the
   * whole call (dump, deletes, retries): when it runs out, or the handle is
   * closed during the deletes, the call rejects with a ConntrackDeleteError
   * whose code is 'ETIMEDOUT' (or the cause's) and whose .deleted counts what
   * was deleted before.
   */
  async conntrackDeleteFilters(table: number, family: number, ...filters: CustomConntrackFilter[]): Promise<number> {
    const site = callerStack(this.conntrackDeleteFilters);
    const name = 'conntrackDeleteFilters';
    checkConntrackArgs(table, family);
    const builtIn = checkFilters(filters, name);
    if (filters.length === 0) return 0;
    const deadline = performance.now() + this.#timeoutMs;
    let result: DeleteResult;
    try {
      if (builtIn) {
        result = await this.#nativeDelete(name, table, family, filters as ConntrackFilter[], false, site, deadline);
      } else {
        const flows = await this.#dump(name, 'ct.dump', { table, family }, site, undefined, deadline);
        // A custom filter that throws stops the call here, before any delete.
        const chosen = flows.filter((f) => filters.some((x) => x.matchConntrackFlow(f)));
        const ids = encodeIdentities(chosen, table);
        if (ids.flows.length === 0) return 0;
        const { items, reply } = await this.#call(name, 'ct.deleteExact', { table, flows: ids.bytes }, deadline);
        result = deleteResult(name, reply.result, items, (i) => ids.flows[i]);
      }
    } catch (err) {
      // Out of time before any delete was sent: nothing was deleted.
      if (err instanceof NetlinkError && err.code === 'ETIMEDOUT') throw new ConntrackDeleteError(name, 0, [], err);
      throw err;
    }
    if (result.stop || result.errors.length > 0) throw new ConntrackDeleteError(name, result.deleted, result.errors, result.stop);
    return result.deleted;
  }

  /**
   * The flows that conntrackDeleteFilters would delete for these
   * ConntrackFilters, matched natively, without deleting anything.
   */
  async conntrackListFiltered(table: number, family: number, ...filters: ConntrackFilter[]): Promise<ConntrackFlow[]> {
    const site = callerStack(this.conntrackListFiltered);
    const name = 'conntrackListFiltered';
    checkConntrackArgs(table, family);
    if (!checkFilters(filters, name)) throw new TypeError(`${name}: only ConntrackFilter instances can be matched natively`);
    if (filters.length === 0) return [];
    const flows: ConntrackFlow[] = [];
    await this.#nativeDelete(name, table, family, filters, true, site, performance.now() + this.#timeoutMs, flows);
    return flows;
  }

  /** ct.delete under the retry policy: an interrupted dump deletes nothing, except on the last attempt of 'return'. */
  async #nativeDelete(
    name: string,
    table: number,
    family: number,
    filters: ConntrackFilter[],
    dryRun: boolean,
    site: { stack?: string },
    deadline: number,
    matched?: ConntrackFlow[],
  ): Promise<DeleteResult> {
    this.#stats.calls++;
    const args: NativeArgs = {
      table,
      family,
      filters: encodeFilters(filters),
      dryRun,
      ...kernelFilterArgs(filters, table, family),
    };
    let attempt = 0;
    let result: DeleteResult = { deleted: 0, errors: [] };
    await withRetries<number>(name, this.#policy, this.#stats, site, async () => {
      attempt++;
      const force = attempt === this.#policy.maxAttempts && this.#policy.onInterrupted === 'return';
      const { items, reply } = await this.#call(name, 'ct.delete', { ...args, force }, deadline);
      if (dryRun && matched) {
        matched.length = 0;
        for (const o of items) if (o.flow) matched.push(o.flow);
      }
      result = dryRun ? { deleted: reply.result, errors: [] } : deleteResult(name, reply.result, items, () => null);
      return { value: reply.result, interrupted: reply.interrupted };
    });
    return result;
  }

  // ---- subscriptions ----

  /**
   * Link updates (RTM_NEWLINK / RTM_DELLINK) in this handle's namespace, as
   * vishvananda's LinkSubscribeWithOptions, with loss markers instead of a
   * dead subscription. Opens its socket now: bad options or a socket that
   * cannot be opened throw at once.
   */
  linkSubscribe(options?: SubscribeOptions): Subscription<LinkUpdate> {
    const o = checkSubscribeOptions(options, 'linkSubscribe');
    const existing = o.listExisting ? async (): Promise<LinkUpdate[]> => (await this.linkList()).map(existingLink) : null;
    return this.#subscribe('linkSubscribe', [RTNLGRP_LINK], o, linkUpdate, existing);
  }

  /** Address updates (RTM_NEWADDR / RTM_DELADDR) of `options.family` (FAMILY_ALL by default), as AddrSubscribeWithOptions. */
  addrSubscribe(options?: SubscribeOptions & { family?: number }): Subscription<AddrUpdate> {
    const o = checkSubscribeOptions(options, 'addrSubscribe', ['family']);
    const family = familyArg(ownOption(options, 'family') ?? FAMILY_ALL, 'addrSubscribe: options.family');
    const groups = groupsOf(family, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR);
    const existing = o.listExisting
      ? async (): Promise<AddrUpdate[]> => (await this.addrList(null, family)).map(existingAddr)
      : null;
    return this.#subscribe('addrSubscribe', groups, o, addrUpdate, existing);
  }

  /**
   * Route updates (RTM_NEWROUTE / RTM_DELROUTE) of every table, of
   * `options.family` (FAMILY_ALL by default), as RouteSubscribeWithOptions;
   * listExisting lists every table too (cloned routes left out).
   */
  routeSubscribe(options?: SubscribeOptions & { family?: number }): Subscription<RouteUpdate> {
    const o = checkSubscribeOptions(options, 'routeSubscribe', ['family']);
    const family = familyArg(ownOption(options, 'family') ?? FAMILY_ALL, 'routeSubscribe: options.family');
    const groups = groupsOf(family, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE);
    const existing = o.listExisting
      ? async (): Promise<RouteUpdate[]> =>
          (await this.routeListFiltered(family, { table: 0 }, RT_FILTER_TABLE)).map(existingRoute)
      : null;
    return this.#subscribe('routeSubscribe', groups, o, routeUpdate, existing);
  }

  #subscribe<U>(
    name: string,
    groups: number[],
    o: CheckedSubscribeOptions,
    toUpdate: (e: EventRecord) => U,
    existing: (() => Promise<U[]>) | null,
  ): Subscription<U> {
    let stream;
    try {
      if (this.#native.closed) throw handleClosedError(name);
      stream = this.#native.subscribe({
        source: 'rtnetlink',
        groups: new Uint8Array(Uint32Array.from(groups).buffer),
        rcvbuf: o.rcvbuf,
        rcvbufForce: o.rcvbufForce,
        maxQueued: o.maxQueued,
      });
    } catch (err) {
      stream = failedStream(fromNative(err, name));
    }
    return new Subscription<U>(stream, name, toUpdate, existing, o.signal);
  }

  // ---- watches ----

  /** A live map of the namespace's links by ifindex (see Watch). */
  watchLinks(options?: WatchOptions): Watch<Link, LinkUpdate> {
    const o = checkSubscribeOptions(options, 'watchLinks', [], false);
    return new Watch<Link, LinkUpdate>({
      name: 'watchLinks',
      subscription: this.#subscribe('watchLinks', [RTNLGRP_LINK], o, linkUpdate, null),
      list: () => this.linkList(),
      key: linkKey,
      // A bridge port's own news (family AF_BRIDGE) is not the link's.
      step: (u) => (u.family !== FAMILY_ALL ? null : { object: u.link, remove: u.type === RTM_DELLINK }),
      volatile: LINK_VOLATILE,
    });
  }

  /** A live map of addresses by link, family, address and prefix: of `options.link` (all by default) and `options.family`. */
  watchAddrs(options?: WatchOptions & { family?: number; link?: Link | number | null }): Watch<Addr, AddrUpdate> {
    const o = checkSubscribeOptions(options, 'watchAddrs', ['family', 'link'], false);
    const family = familyArg(ownOption(options, 'family') ?? FAMILY_ALL, 'watchAddrs: options.family');
    const index = linkIndexArg(ownOption(options, 'link') ?? null, 'watchAddrs: options.link');
    const groups = groupsOf(family, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR);
    return new Watch<Addr, AddrUpdate>({
      name: 'watchAddrs',
      subscription: this.#subscribe('watchAddrs', groups, o, addrUpdate, null),
      list: () => this.addrList(index === 0 ? null : index, family),
      key: addrKey,
      step: (u) => (addrMatches(u.addr, index, family) ? { object: u.addr, remove: !u.newAddr } : null),
      volatile: ADDR_VOLATILE,
    });
  }

  /**
   * A live map of routes by family, table, destination, TOS and priority,
   * of the routes routeListFiltered(family, filter, filterMask) returns
   * (the main table by default). IPv4 routes the kernel flushes without a
   * message (a link going down or away, an address removed) are found by
   * listing again when that happens.
   */
  watchRoutes(
    options?: WatchOptions & { family?: number; filter?: RouteFilter | null; filterMask?: number },
  ): Watch<Route, LinkUpdate | AddrUpdate | RouteUpdate> {
    const o = checkSubscribeOptions(options, 'watchRoutes', ['family', 'filter', 'filterMask'], false);
    const family = familyArg(ownOption(options, 'family') ?? FAMILY_ALL, 'watchRoutes: options.family');
    const filter = (ownOption(options, 'filter') ?? null) as RouteFilter | null;
    const mask = (ownOption(options, 'filterMask') ?? 0) as number;
    const f = routeFilterArg(filter, mask, family);
    const groups = [...groupsOf(family, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE), RTNLGRP_LINK];
    if (family !== FAMILY_V6) groups.push(RTNLGRP_IPV4_IFADDR);
    const up = new Map<number, boolean>();
    const watch: Watch<Route, LinkUpdate | AddrUpdate | RouteUpdate> = new Watch({
      name: 'watchRoutes',
      subscription: this.#subscribe('watchRoutes', groups, o, rtnetlinkUpdate, null),
      list: () => this.routeListFiltered(family, filter, mask),
      key: routeKey,
      step: (u) => {
        if (u.kind === 'route') {
          // An IPv6 replace may have replaced a route on another link: which
          // one, only a listing can tell.
          if (u.route.family === FAMILY_V6 && u.nlFlags & NLM_F_REPLACE && !watch.has(routeKey(u.route))) return 'relist';
          if (routeMatches(u.route, family, f)) return { object: u.route, remove: u.type === RTM_DELROUTE };
          // A route replaced by one the filter leaves out is gone from the watch.
          return u.type === RTM_NEWROUTE ? { object: u.route, remove: true } : null;
        }
        if (u.kind === 'addr') return u.type === RTM_DELADDR && u.addr.family === FAMILY_V4 ? 'relist' : null;
        if (u.family !== FAMILY_ALL) return null;
        // IPv4 drops a link's routes silently when it goes down or away.
        const wasUp = up.get(u.link.index);
        const isUp = u.type === RTM_NEWLINK && (u.link.flags & IFF_UP) !== 0;
        if (u.type === RTM_DELLINK) up.delete(u.link.index);
        else up.set(u.link.index, isUp);
        return !isUp && wasUp !== false ? 'relist' : null;
      },
      volatile: ROUTE_VOLATILE,
    });
    return watch;
  }

  // ---- plumbing shared by every call ----

  /**
   * Sends one request and decodes its reply: no retries. Records arrive in
   * chunks while the kernel is still sending (objects are built here while
   * the worker thread reads on), and the reply carries the rest.
   */
  async #call<O extends Op>(
    name: string,
    op: O,
    args: NativeArgs,
    deadline?: number,
  ): Promise<{ items: ItemOf<O>[]; reply: NativeEnd }> {
    if (this.#native.closed) throw handleClosedError(name);
    // With a deadline (a call made of several requests), each request gets
    // what is left of the call's time.
    const timeoutMs = deadline === undefined ? this.#timeoutMs : Math.ceil(deadline - performance.now());
    if (timeoutMs <= 0) throw timedOut(name);
    const { items, reply } = await nativeRequest(this.#native, name, op, bare(args), timeoutMs, OP_ROOTS[op]);
    this.#stats.bytesReceived += reply.bytes;
    this.#stats.messagesReceived += reply.messages;
    debugSocket(
      '%s (%s): %d bytes in %d datagrams, %d messages%s',
      name,
      op,
      reply.bytes,
      reply.datagrams,
      reply.messages,
      reply.interrupted ? ', NLM_F_DUMP_INTR' : '',
    );
    return { items, reply };
  }

  async #request<O extends Op>(name: string, op: O, args: NativeArgs): Promise<ItemOf<O>[]> {
    this.#stats.calls++;
    return (await this.#call(name, op, args)).items;
  }

  /** A dump under the retry policy. */
  async #dump<O extends Op>(
    name: string,
    op: O,
    args: NativeArgs,
    site: { stack?: string },
    onReply?: (reply: NativeEnd) => void,
    deadline?: number,
  ): Promise<ItemOf<O>[]> {
    this.#stats.calls++;
    return withRetries<ItemOf<O>[]>(name, this.#policy, this.#stats, site, async () => {
      const { items, reply } = await this.#call(name, op, args, deadline);
      onReply?.(reply);
      return { value: items, interrupted: reply.interrupted };
    });
  }
}
