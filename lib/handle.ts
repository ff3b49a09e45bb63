// Handle: netlink sockets in one network namespace and the calls made in it.
// The calls live with their objects, as vishvananda's do (link.ts, addr.ts,
// route.ts, xfrm.ts, conntrack.ts); this class opens the native side, owns
// the retry policy and counters (calls.ts), and delegates. Methods that
// return a promise never throw synchronously: argument errors, a closed
// handle and kernel errors all arrive as rejections.
import createDebug from 'debug';
import { bare, checkOptions, nsTarget, type HandleOptions } from './args';
import { binding, type NativeHandle, type NativeHandleOptions } from './binding';
import * as addr from './addr';
import { Calls, type HandleCounters } from './calls';
import type { ConntrackFilter } from './conntrack-filter';
import * as conntrack from './conntrack';
import * as conntrackEvents from './conntrack-events';
import type { ConntrackSubscribeOptions, ConntrackUpdate, ConntrackWatchOptions } from './conntrack-events';
import type { DumpStream, StreamOptions } from './dump-stream';
import { fromNative } from './errors';
import * as link from './link';
import { callerStack } from './retry';
import * as route from './route';
import type { SubscribeOptions, Subscription } from './subscription';
import type { Addr, ListOptions } from './types/addr';
import type { ConntrackFlow, CustomConntrackFilter } from './types/conntrack';
import type { Link } from './types/link';
import type { Route, RouteFilter } from './types/route';
import type { XfrmPolicy, XfrmState } from './types/xfrm';
import type { AddrUpdate, LinkUpdate, RouteUpdate } from './updates';
import type { Watch, WatchOptions } from './watch';
import * as xfrm from './xfrm';
import * as xfrmEvents from './xfrm-events';
import type { XfrmSubscribeOptions, XfrmUpdate } from './xfrm-events';

export type { HandleOptions, HandleCounters, WatchOptions };

// debug namespace: DEBUG=nlwrap:netns shows every namespace opened.
const debugNetns = createDebug('nlwrap:netns');

/**
 * Opens a Handle's native side; by default the addon's NativeHandle. A
 * Handle takes another one as serialport's streams take a binding: the
 * tests run the same Handle over a fake kernel or a fake binding.
 */
export type NativeOpener = (options: NativeHandleOptions) => NativeHandle;

const openAddon: NativeOpener = (options) => new binding.NativeHandle(options);

export class Handle {
  readonly #c: Calls;

  /**
   * Opens the sockets at once: bad options throw TypeError/RangeError, and a
   * namespace that cannot be opened throws a NetlinkError (ENOENT, EPERM, ...).
   * `open` makes the native side (see NativeOpener); leave it out.
   */
  constructor(options?: HandleOptions, open: NativeOpener = openAddon) {
    const o = checkOptions(options);
    if (typeof open !== 'function') throw new TypeError('Handle: open must be a function');
    const target = o.netns === undefined ? {} : nsTarget(o.netns);
    let native;
    try {
      // Exactly these keys, on an object without a prototype.
      native = open(bare({ ...target, protocols: o.families }));
    } catch (err) {
      throw fromNative(err, 'Handle');
    }
    debugNetns(
      'handle opened in %s, protocols %o',
      target.nsPath ?? (target.nsFd !== undefined ? `fd ${target.nsFd}` : "the caller's namespace"),
      o.families,
    );
    this.#c = new Calls(native, { maxAttempts: o.maxAttempts, onInterrupted: o.onInterrupted, logger: o.logger }, o.timeoutMs);
  }

  /** Idempotent. In-flight calls reject with 'ERR_HANDLE_CLOSED'; later calls too; subscriptions end. */
  close(): void {
    this.#c.native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  get closed(): boolean {
    return this.#c.native.closed;
  }

  /** A snapshot of this handle's counters. */
  get stats(): HandleCounters {
    return { ...this.#c.stats };
  }

  // ---- links (link.ts) ----

  /** Every link in the namespace (RTM_GETLINK dump). */
  linkList(): Promise<Link[]> {
    return link.linkList(this.#c, callerStack(this.linkList));
  }

  /** linkList as an async iterable of batches, read as the consumer takes them. */
  linkStream(options?: StreamOptions): DumpStream<Link> {
    return link.linkStream(this.#c, callerStack(this.linkStream), options);
  }

  /** One link by name (IFLA_IFNAME, or IFLA_ALT_IFNAME past 15 bytes); LinkNotFoundError when there is none. */
  linkByName(name: string): Promise<Link> {
    return link.linkByName(this.#c, callerStack(this.linkByName), name);
  }

  /** One link by ifindex; LinkNotFoundError when there is none. */
  linkByIndex(index: number): Promise<Link> {
    return link.linkByIndex(this.#c, index);
  }

  /** Link updates, with loss markers (see Subscription). */
  linkSubscribe(options?: SubscribeOptions): Subscription<LinkUpdate> {
    return link.linkSubscribe(this.#c, callerStack(this.linkSubscribe), options);
  }

  /** A live map of the links by ifindex (see Watch). */
  watchLinks(options?: WatchOptions): Watch<Link, LinkUpdate> {
    return link.watchLinks(this.#c, callerStack(this.watchLinks), options);
  }

  // ---- addresses (addr.ts) ----

  /** Addresses of one link (a Link or an ifindex) or all (null), of one family or all. */
  addrList(link: Link | number | null, family?: number, options?: ListOptions): Promise<Addr[]> {
    return addr.addrList(this.#c, callerStack(this.addrList), link, family, options);
  }

  /** addrList as an async iterable of batches. */
  addrStream(link: Link | number | null, family?: number, options?: ListOptions & StreamOptions): DumpStream<Addr> {
    return addr.addrStream(this.#c, callerStack(this.addrStream), link, family, options);
  }

  /** Address updates of `options.family`, with loss markers (see Subscription). */
  addrSubscribe(options?: SubscribeOptions & { family?: number }): Subscription<AddrUpdate> {
    return addr.addrSubscribe(this.#c, callerStack(this.addrSubscribe), options);
  }

  /** A live map of addresses by link, family, address and prefix (see Watch). */
  watchAddrs(options?: WatchOptions & { family?: number; link?: Link | number | null }): Watch<Addr, AddrUpdate> {
    return addr.watchAddrs(this.#c, callerStack(this.watchAddrs), options);
  }

  // ---- routes (route.ts) ----

  /** Routes of the main table of one output link or all (null), cloned routes left out, like vishvananda's RouteList. */
  routeList(link: Link | number | null, family?: number, options?: ListOptions): Promise<Route[]> {
    return route.routeList(this.#c, callerStack(this.routeList), link, family, options);
  }

  /** Routes matching `filter` on the RT_FILTER_* fields of `filterMask`, as vishvananda's RouteListFiltered. */
  routeListFiltered(family: number, filter: RouteFilter | null, filterMask: number, options?: ListOptions): Promise<Route[]> {
    return route.routeListFiltered(this.#c, callerStack(this.routeListFiltered), family, filter, filterMask, options);
  }

  /** routeList as an async iterable of batches. */
  routeStream(link: Link | number | null, family?: number, options?: ListOptions & StreamOptions): DumpStream<Route> {
    return route.routeStream(this.#c, callerStack(this.routeStream), link, family, options);
  }

  /** routeListFiltered as an async iterable of batches. */
  routeStreamFiltered(
    family: number,
    filter: RouteFilter | null,
    filterMask: number,
    options?: ListOptions & StreamOptions,
  ): DumpStream<Route> {
    return route.routeStreamFiltered(this.#c, callerStack(this.routeStreamFiltered), family, filter, filterMask, options);
  }

  /** Route updates of every table, with loss markers (see Subscription). */
  routeSubscribe(options?: SubscribeOptions & { family?: number }): Subscription<RouteUpdate> {
    return route.routeSubscribe(this.#c, callerStack(this.routeSubscribe), options);
  }

  /** A live map of the routes routeListFiltered returns (see Watch). */
  watchRoutes(
    options?: WatchOptions & { family?: number; filter?: RouteFilter | null; filterMask?: number },
  ): Watch<Route, LinkUpdate | AddrUpdate | RouteUpdate> {
    return route.watchRoutes(this.#c, callerStack(this.watchRoutes), options);
  }

  // ---- XFRM (xfrm.ts) ----

  /** Every XFRM policy whose selector family is `family` (FAMILY_ALL by default). */
  xfrmPolicyList(family?: number): Promise<XfrmPolicy[]> {
    return xfrm.xfrmPolicyList(this.#c, callerStack(this.xfrmPolicyList), family);
  }

  /** xfrmPolicyList as an async iterable of batches. */
  xfrmPolicyStream(family?: number, options?: StreamOptions): DumpStream<XfrmPolicy> {
    return xfrm.xfrmPolicyStream(this.#c, callerStack(this.xfrmPolicyStream), family, options);
  }

  /** Every XFRM state of SA family `family`; algorithm keys are non-enumerable. */
  xfrmStateList(family?: number): Promise<XfrmState[]> {
    return xfrm.xfrmStateList(this.#c, callerStack(this.xfrmStateList), family);
  }

  /** xfrmStateList as an async iterable of batches. */
  xfrmStateStream(family?: number, options?: StreamOptions): DumpStream<XfrmState> {
    return xfrm.xfrmStateStream(this.#c, callerStack(this.xfrmStateStream), family, options);
  }

  /** XFRM updates: SAs and policies added, updated, deleted, flushed; expiry; acquires (see Subscription). */
  xfrmSubscribe(options?: XfrmSubscribeOptions): Subscription<XfrmUpdate> {
    return xfrmEvents.xfrmSubscribe(this.#c, callerStack(this.xfrmSubscribe), options);
  }

  // ---- conntrack (conntrack.ts, conntrack-events.ts) ----

  /** Every flow (ConntrackTable) or expectation (ConntrackExpectTable) of a family. */
  conntrackTableList(table: number, family: number): Promise<ConntrackFlow[]> {
    return conntrack.conntrackTableList(this.#c, callerStack(this.conntrackTableList), table, family);
  }

  /** conntrackTableList as an async iterable of batches. */
  conntrackTableStream(table: number, family: number, options?: StreamOptions): DumpStream<ConntrackFlow> {
    return conntrack.conntrackTableStream(this.#c, callerStack(this.conntrackTableStream), table, family, options);
  }

  /** Deletes the flows that match any filter; resolves to how many were deleted. */
  conntrackDeleteFilters(table: number, family: number, ...filters: CustomConntrackFilter[]): Promise<number> {
    return conntrack.conntrackDeleteFilters(this.#c, callerStack(this.conntrackDeleteFilters), table, family, filters);
  }

  /** The flows conntrackDeleteFilters would delete for these ConntrackFilters, without deleting. */
  conntrackListFiltered(table: number, family: number, ...filters: ConntrackFilter[]): Promise<ConntrackFlow[]> {
    return conntrack.conntrackListFiltered(this.#c, callerStack(this.conntrackListFiltered), table, family, filters);
  }

  /** Conntrack events (new, update, destroy; expectations), filtered natively (see Subscription). */
  conntrackSubscribe(options?: ConntrackSubscribeOptions): Subscription<ConntrackUpdate> {
    return conntrackEvents.conntrackSubscribe(this.#c, callerStack(this.conntrackSubscribe), options);
  }

  /** A live map of the flows (or expectations) of a family matching any filter (all without one), see Watch. */
  watchConntrack(table: number, family: number, ...filters: ConntrackFilter[]): Watch<ConntrackFlow, ConntrackUpdate>;
  /** As above, with subscription options and `filters` in one object. */
  watchConntrack(table: number, family: number, options: ConntrackWatchOptions): Watch<ConntrackFlow, ConntrackUpdate>;
  watchConntrack(
    table: number,
    family: number,
    ...args: (ConntrackFilter | ConntrackWatchOptions)[]
  ): Watch<ConntrackFlow, ConntrackUpdate> {
    return conntrackEvents.watchConntrack(this.#c, callerStack(this.watchConntrack), table, family, args);
  }
}
