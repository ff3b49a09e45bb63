// nlwrap: Linux netlink for Node.js. Everything is a named export. The
// package-level calls are async functions: opening the default handle can
// fail (EMFILE), and that must reject like every other failure, not throw.
import { defaultHandle } from './default-handle';
import type { Link } from './types/link';
import type { Addr, ListOptions } from './types/addr';
import type { Route, RouteFilter } from './types/route';
import type { XfrmPolicy, XfrmState } from './types/xfrm';
import type { ConntrackFlow, CustomConntrackFilter } from './types/conntrack';
import type { ConntrackFilter } from './conntrack-filter';
import type { WatchOptions } from './handle';
import { DumpStream, type StreamOptions } from './dump-stream';
import { Subscription, type SubscribeOptions } from './subscription';
import type { AddrUpdate, LinkUpdate, RouteUpdate } from './updates';
import type { ConntrackSubscribeOptions, ConntrackUpdate, ConntrackWatchOptions } from './conntrack-events';
import type { XfrmSubscribeOptions, XfrmUpdate } from './xfrm-events';
import { Watch } from './watch';
import type { Handle } from './handle';

export { Handle, type HandleOptions, type HandleCounters, type WatchOptions } from './handle';
export { DumpStream, type StreamOptions, type StreamEnd } from './dump-stream';
export {
  Subscription,
  type SubscribeOptions,
  type SubscriptionStats,
  type SubscriptionMarker,
  type LossMarker,
  type ListedMarker,
} from './subscription';
export { Watch, type WatchChange, type WatchStats } from './watch';
export type { LinkUpdate, AddrUpdate, RouteUpdate } from './updates';
export {
  CONNTRACK_EVENT_GROUPS,
  type ConntrackEventGroup,
  type ConntrackSubscribeOptions,
  type ConntrackUpdate,
  type ConntrackWatchOptions,
} from './conntrack-events';
export {
  XFRM_EVENT_GROUPS,
  type XfrmEventGroup,
  type XfrmSubscribeOptions,
  type XfrmUpdate,
  type XfrmStateUpdate,
  type XfrmPolicyUpdate,
  type XfrmExpireUpdate,
  type XfrmPolicyExpireUpdate,
  type XfrmAcquireUpdate,
  type XfrmFlushUpdate,
} from './xfrm-events';
export { NetlinkError, LinkNotFoundError, DumpInterruptedError, ConntrackDeleteError } from './errors';
export type { Logger, HandleStats, InterruptedDetails } from './retry';
export * from './constants';
export * from './uapi';
export { parse } from './parse';
export { isLinkType } from './link-type';
export type * from './types/link';
export type * from './types/addr';
export type * from './types/route';
export type * from './types/xfrm';
export type * from './types/conntrack';
export { ConntrackFilter } from './conntrack-filter';

/** Every link in the caller's namespace (default handle). */
export async function linkList(): Promise<Link[]> {
  return defaultHandle().linkList();
}

/** One link by name (default handle). */
export async function linkByName(name: string): Promise<Link> {
  return defaultHandle().linkByName(name);
}

/** One link by index (default handle). */
export async function linkByIndex(index: number): Promise<Link> {
  return defaultHandle().linkByIndex(index);
}

/** Addresses of one link or all (null), of one family or all (default handle). */
export async function addrList(link: Link | number | null, family?: number, options?: ListOptions): Promise<Addr[]> {
  return defaultHandle().addrList(link, family, options);
}

/** Main-table routes of one output link or all (null), no cloned routes (default handle). */
export async function routeList(link: Link | number | null, family?: number, options?: ListOptions): Promise<Route[]> {
  return defaultHandle().routeList(link, family, options);
}

/** Routes matching `filter` on the RT_FILTER_* fields of `filterMask` (default handle). */
export async function routeListFiltered(
  family: number,
  filter: RouteFilter | null,
  filterMask: number,
  options?: ListOptions,
): Promise<Route[]> {
  return defaultHandle().routeListFiltered(family, filter, filterMask, options);
}

/** Every XFRM policy of `family` (default handle). */
export async function xfrmPolicyList(family?: number): Promise<XfrmPolicy[]> {
  return defaultHandle().xfrmPolicyList(family);
}

/** Every XFRM state of `family` (default handle). Keys are non-enumerable. */
export async function xfrmStateList(family?: number): Promise<XfrmState[]> {
  return defaultHandle().xfrmStateList(family);
}

/** Every flow or expectation of a conntrack table (default handle). */
export async function conntrackTableList(table: number, family: number): Promise<ConntrackFlow[]> {
  return defaultHandle().conntrackTableList(table, family);
}

/** Deletes the flows matching any filter; resolves to the number deleted (default handle). */
export async function conntrackDeleteFilters(
  table: number,
  family: number,
  ...filters: CustomConntrackFilter[]
): Promise<number> {
  return defaultHandle().conntrackDeleteFilters(table, family, ...filters);
}

/** The flows conntrackDeleteFilters would delete, without deleting (default handle). */
export async function conntrackListFiltered(
  table: number,
  family: number,
  ...filters: ConntrackFilter[]
): Promise<ConntrackFlow[]> {
  return defaultHandle().conntrackListFiltered(table, family, ...filters);
}

/**
 * `use` on the default handle; `failed` with the error when it cannot be
 * opened (EMFILE), so a subscription or watch reports it as it reports any
 * kernel error: through its iterator, or its `ready`.
 */
function onDefault<T>(use: (h: Handle) => T, failed: (err: Error) => T): T {
  let h: Handle;
  try {
    h = defaultHandle();
  } catch (err) {
    return failed(err as Error);
  }
  return use(h);
}

/** Link updates in the caller's namespace (default handle). */
export function linkSubscribe(options?: SubscribeOptions): Subscription<LinkUpdate> {
  return onDefault(
    (h) => h.linkSubscribe(options),
    (err) => Subscription.failed('linkSubscribe', err),
  );
}

/** Address updates in the caller's namespace (default handle). */
export function addrSubscribe(options?: SubscribeOptions & { family?: number }): Subscription<AddrUpdate> {
  return onDefault(
    (h) => h.addrSubscribe(options),
    (err) => Subscription.failed('addrSubscribe', err),
  );
}

/** Route updates of every table in the caller's namespace (default handle). */
export function routeSubscribe(options?: SubscribeOptions & { family?: number }): Subscription<RouteUpdate> {
  return onDefault(
    (h) => h.routeSubscribe(options),
    (err) => Subscription.failed('routeSubscribe', err),
  );
}

/** A live map of the caller's namespace's links (default handle). */
export function watchLinks(options?: WatchOptions): Watch<Link, LinkUpdate> {
  return onDefault(
    (h) => h.watchLinks(options),
    (err) => Watch.failed('watchLinks', err),
  );
}

/** A live map of the caller's namespace's addresses (default handle). */
export function watchAddrs(options?: WatchOptions & { family?: number; link?: Link | number | null }): Watch<Addr, AddrUpdate> {
  return onDefault(
    (h) => h.watchAddrs(options),
    (err) => Watch.failed('watchAddrs', err),
  );
}

/** A live map of the caller's namespace's routes (default handle). */
export function watchRoutes(
  options?: WatchOptions & { family?: number; filter?: RouteFilter | null; filterMask?: number },
): Watch<Route, LinkUpdate | AddrUpdate | RouteUpdate> {
  return onDefault(
    (h) => h.watchRoutes(options),
    (err) => Watch.failed('watchRoutes', err),
  );
}

/** XFRM updates in the caller's namespace (default handle). */
export function xfrmSubscribe(options?: XfrmSubscribeOptions): Subscription<XfrmUpdate> {
  return onDefault(
    (h) => h.xfrmSubscribe(options),
    (err) => Subscription.failed('xfrmSubscribe', err),
  );
}

/** Conntrack events in the caller's namespace (default handle). */
export function conntrackSubscribe(options?: ConntrackSubscribeOptions): Subscription<ConntrackUpdate> {
  return onDefault(
    (h) => h.conntrackSubscribe(options),
    (err) => Subscription.failed('conntrackSubscribe', err),
  );
}

/** A live map of the caller's namespace's conntrack flows (default handle). */
export function watchConntrack(
  table: number,
  family: number,
  ...filters: ConntrackFilter[]
): Watch<ConntrackFlow, ConntrackUpdate>;
export function watchConntrack(
  table: number,
  family: number,
  options: ConntrackWatchOptions,
): Watch<ConntrackFlow, ConntrackUpdate>;
export function watchConntrack(
  table: number,
  family: number,
  ...args: (ConntrackFilter | ConntrackWatchOptions)[]
): Watch<ConntrackFlow, ConntrackUpdate> {
  return onDefault(
    // One implementation behind both overloads.
    (h) =>
      (h.watchConntrack as (t: number, f: number, ...a: unknown[]) => Watch<ConntrackFlow, ConntrackUpdate>).call(
        h,
        table,
        family,
        ...args,
      ),
    (err) => Watch.failed('watchConntrack', err),
  );
}

/** linkList as an async iterable of batches (default handle). */
export function linkStream(options?: StreamOptions): DumpStream<Link> {
  return onDefault(
    (h) => h.linkStream(options),
    (err) => DumpStream.failed('linkStream', err),
  );
}

/** addrList as an async iterable of batches (default handle). */
export function addrStream(link: Link | number | null, family?: number, options?: ListOptions & StreamOptions): DumpStream<Addr> {
  return onDefault(
    (h) => h.addrStream(link, family, options),
    (err) => DumpStream.failed('addrStream', err),
  );
}

/** routeList as an async iterable of batches (default handle). */
export function routeStream(
  link: Link | number | null,
  family?: number,
  options?: ListOptions & StreamOptions,
): DumpStream<Route> {
  return onDefault(
    (h) => h.routeStream(link, family, options),
    (err) => DumpStream.failed('routeStream', err),
  );
}

/** routeListFiltered as an async iterable of batches (default handle). */
export function routeStreamFiltered(
  family: number,
  filter: RouteFilter | null,
  filterMask: number,
  options?: ListOptions & StreamOptions,
): DumpStream<Route> {
  return onDefault(
    (h) => h.routeStreamFiltered(family, filter, filterMask, options),
    (err) => DumpStream.failed('routeStreamFiltered', err),
  );
}

/** xfrmPolicyList as an async iterable of batches (default handle). */
export function xfrmPolicyStream(family?: number, options?: StreamOptions): DumpStream<XfrmPolicy> {
  return onDefault(
    (h) => h.xfrmPolicyStream(family, options),
    (err) => DumpStream.failed('xfrmPolicyStream', err),
  );
}

/** xfrmStateList as an async iterable of batches (default handle). */
export function xfrmStateStream(family?: number, options?: StreamOptions): DumpStream<XfrmState> {
  return onDefault(
    (h) => h.xfrmStateStream(family, options),
    (err) => DumpStream.failed('xfrmStateStream', err),
  );
}

/** conntrackTableList as an async iterable of batches (default handle). */
export function conntrackTableStream(table: number, family: number, options?: StreamOptions): DumpStream<ConntrackFlow> {
  return onDefault(
    (h) => h.conntrackTableStream(table, family, options),
    (err) => DumpStream.failed('conntrackTableStream', err),
  );
}
