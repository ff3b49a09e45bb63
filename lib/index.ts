// nlwrap: Linux netlink for Node.js. Everything is a named export.
import { defaultHandle } from './default-handle';
import type { Link } from './types/link';
import type { Addr, ListOptions } from './types/addr';
import type { Route, RouteFilter } from './types/route';
import type { XfrmPolicy, XfrmState } from './types/xfrm';
import type { ConntrackFlow, CustomConntrackFilter } from './types/conntrack';
import type { ConntrackFilter } from './conntrack-filter';
import type { WatchOptions } from './handle';
import type { SubscribeOptions, Subscription } from './subscription';
import type { AddrUpdate, LinkUpdate, RouteUpdate } from './updates';
import type { Watch } from './watch';

export { Handle, type HandleOptions, type HandleCounters, type WatchOptions } from './handle';
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
export function linkList(): Promise<Link[]> {
  return defaultHandle().linkList();
}

/** One link by name (default handle). */
export function linkByName(name: string): Promise<Link> {
  return defaultHandle().linkByName(name);
}

/** One link by index (default handle). */
export function linkByIndex(index: number): Promise<Link> {
  return defaultHandle().linkByIndex(index);
}

/** Addresses of one link or all (null), of one family or all (default handle). */
export function addrList(link: Link | number | null, family?: number, options?: ListOptions): Promise<Addr[]> {
  return defaultHandle().addrList(link, family, options);
}

/** Main-table routes of one output link or all (null), no cloned routes (default handle). */
export function routeList(link: Link | number | null, family?: number, options?: ListOptions): Promise<Route[]> {
  return defaultHandle().routeList(link, family, options);
}

/** Routes matching `filter` on the RT_FILTER_* fields of `filterMask` (default handle). */
export function routeListFiltered(
  family: number,
  filter: RouteFilter | null,
  filterMask: number,
  options?: ListOptions,
): Promise<Route[]> {
  return defaultHandle().routeListFiltered(family, filter, filterMask, options);
}

/** Every XFRM policy of `family` (default handle). */
export function xfrmPolicyList(family?: number): Promise<XfrmPolicy[]> {
  return defaultHandle().xfrmPolicyList(family);
}

/** Every XFRM state of `family` (default handle). Keys are non-enumerable. */
export function xfrmStateList(family?: number): Promise<XfrmState[]> {
  return defaultHandle().xfrmStateList(family);
}

/** Every flow or expectation of a conntrack table (default handle). */
export function conntrackTableList(table: number, family: number): Promise<ConntrackFlow[]> {
  return defaultHandle().conntrackTableList(table, family);
}

/** Deletes the flows matching any filter; resolves to the number deleted (default handle). */
export function conntrackDeleteFilters(table: number, family: number, ...filters: CustomConntrackFilter[]): Promise<number> {
  return defaultHandle().conntrackDeleteFilters(table, family, ...filters);
}

/** The flows conntrackDeleteFilters would delete, without deleting (default handle). */
export function conntrackListFiltered(table: number, family: number, ...filters: ConntrackFilter[]): Promise<ConntrackFlow[]> {
  return defaultHandle().conntrackListFiltered(table, family, ...filters);
}

/** Link updates in the caller's namespace (default handle). */
export function linkSubscribe(options?: SubscribeOptions): Subscription<LinkUpdate> {
  return defaultHandle().linkSubscribe(options);
}

/** Address updates in the caller's namespace (default handle). */
export function addrSubscribe(options?: SubscribeOptions & { family?: number }): Subscription<AddrUpdate> {
  return defaultHandle().addrSubscribe(options);
}

/** Route updates of every table in the caller's namespace (default handle). */
export function routeSubscribe(options?: SubscribeOptions & { family?: number }): Subscription<RouteUpdate> {
  return defaultHandle().routeSubscribe(options);
}

/** A live map of the caller's namespace's links (default handle). */
export function watchLinks(options?: WatchOptions): Watch<Link, LinkUpdate> {
  return defaultHandle().watchLinks(options);
}

/** A live map of the caller's namespace's addresses (default handle). */
export function watchAddrs(options?: WatchOptions & { family?: number; link?: Link | number | null }): Watch<Addr, AddrUpdate> {
  return defaultHandle().watchAddrs(options);
}

/** A live map of the caller's namespace's routes (default handle). */
export function watchRoutes(
  options?: WatchOptions & { family?: number; filter?: RouteFilter | null; filterMask?: number },
): Watch<Route, LinkUpdate | AddrUpdate | RouteUpdate> {
  return defaultHandle().watchRoutes(options);
}
