// Routes (vishvananda's route_linux.go): the lists, the streams, the
// subscription and the watch. Handle delegates here.
import {
  checkListStreamOptions,
  checkSubscribeOptions,
  familyArg,
  kernelFilterArg,
  linkIndexArg,
  ownOption,
  routeFilterArg,
  type CheckedRouteFilter,
} from './args';
import { groupsOf, type Calls } from './calls';
import { FAMILY_ALL, FAMILY_V4, FAMILY_V6, RT_FILTER_OIF, RT_FILTER_TABLE } from './constants';
import type { DumpStream, StreamOptions } from './dump-stream';
import { LinkNotFoundError, NetlinkError } from './errors';
import { linkExists } from './link';
import { routeDumpArgs, routeMatches } from './route-filter';
import type { SubscribeOptions, Subscription } from './subscription';
import type { ListOptions } from './types/addr';
import type { Link } from './types/link';
import type { Route, RouteFilter } from './types/route';
import {
  IFF_LOWER_UP,
  IFF_UP,
  NLM_F_REPLACE,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_DELROUTE,
  RTM_NEWROUTE,
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_LINK,
  RTNH_F_DEAD,
} from './uapi';
import { existingRoute, routeUpdate, rtnetlinkUpdate, type AddrUpdate, type LinkUpdate, type RouteUpdate } from './updates';
import { Watch, type WatchOptions } from './watch';

type Site = { stack?: string };

/** routeList's arguments as routeListFiltered's: the output link as an RT_FILTER_OIF filter. */
function oifFilter(link: Link | number | null): [RouteFilter | null, number] {
  const index = linkIndexArg(link);
  return index ? [{ linkIndex: index }, RT_FILTER_OIF] : [null, 0];
}

/**
 * Routes of the main table, cloned routes left out, like vishvananda's
 * RouteList: of every link (null) or whose output link is `link`.
 */
export async function routeList(
  c: Calls,
  site: Site,
  link: Link | number | null,
  family: number = FAMILY_ALL,
  options?: ListOptions,
): Promise<Route[]> {
  const [filter, mask] = oifFilter(link);
  return filteredList(c, 'routeList', site, familyArg(family), filter, mask, kernelFilterArg(options));
}

/**
 * Routes matching `filter` on the fields selected by `filterMask`
 * (RT_FILTER_* bits), with vishvananda's semantics: without RT_FILTER_TABLE
 * only the main table; with it, `filter.table` (0 = every table). Cloned
 * routes are left out. Table, protocol, type and output link also go in
 * the request so the kernel sends less.
 */
export async function routeListFiltered(
  c: Calls,
  site: Site,
  family: number,
  filter: RouteFilter | null,
  filterMask: number,
  options?: ListOptions,
): Promise<Route[]> {
  return filteredList(c, 'routeListFiltered', site, familyArg(family), filter, filterMask, kernelFilterArg(options));
}

async function filteredList(
  c: Calls,
  name: string,
  site: Site,
  family: number,
  filter: unknown,
  mask: unknown,
  kernelFilter: boolean,
): Promise<Route[]> {
  const f: CheckedRouteFilter = routeFilterArg(filter, mask, family);
  const dumpArgs = routeDumpArgs(family, f, kernelFilter);
  let kernelFiltered = false;
  let all: Route[];
  try {
    all = await c.dump(name, 'route.dump', dumpArgs, site, (r) => {
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
  if (dumpArgs.oif !== 0 && n === 0 && !kernelFiltered) await linkExists(c, name, dumpArgs.oif as number);
  return all;
}

/** routeList as a stream of batches. */
export function routeStream(
  c: Calls,
  site: Site,
  link: Link | number | null,
  family: number = FAMILY_ALL,
  options?: ListOptions & StreamOptions,
): DumpStream<Route> {
  const [filter, mask] = oifFilter(link);
  return filteredStream(c, 'routeStream', site, familyArg(family), filter, mask, options);
}

/** routeListFiltered as a stream of batches. */
export function routeStreamFiltered(
  c: Calls,
  site: Site,
  family: number,
  filter: RouteFilter | null,
  filterMask: number,
  options?: ListOptions & StreamOptions,
): DumpStream<Route> {
  return filteredStream(c, 'routeStreamFiltered', site, familyArg(family), filter, filterMask, options);
}

function filteredStream(
  c: Calls,
  name: string,
  site: Site,
  family: number,
  filter: unknown,
  mask: unknown,
  options: unknown,
): DumpStream<Route> {
  const f = routeFilterArg(filter, mask, family);
  const { kernelFilter, stream } = checkListStreamOptions(options, name);
  return c.stream(name, 'route.dump', routeDumpArgs(family, f, kernelFilter), site, stream, (items) =>
    items.filter((r) => routeMatches(r, family, f)),
  );
}

/**
 * Route updates (RTM_NEWROUTE / RTM_DELROUTE) of every table, of
 * `options.family` (FAMILY_ALL by default), as RouteSubscribeWithOptions;
 * listExisting lists every table too (cloned routes left out).
 */
export function routeSubscribe(
  c: Calls,
  site: Site,
  options?: SubscribeOptions & { family?: number },
): Subscription<RouteUpdate> {
  const o = checkSubscribeOptions(options, 'routeSubscribe', ['family']);
  const family = familyArg(ownOption(options, 'family') ?? FAMILY_ALL, 'routeSubscribe: options.family');
  const existing = o.listExisting
    ? async (): Promise<RouteUpdate[]> =>
        (await routeListFiltered(c, site, family, { table: 0 }, RT_FILTER_TABLE)).map(existingRoute)
    : null;
  return c.subscribe('routeSubscribe', groupsOf(family, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE), o, routeUpdate, existing);
}

// IPv6 keeps routes to one prefix with one metric on several links (every
// link's fe80::/64): the output link is part of an IPv6 route's identity.
const routeKey = (r: Route): string =>
  `${r.family}|${r.table}|${r.dst}|${r.tos}|${r.priority ?? ''}` + (r.family === FAMILY_V6 ? `|${r.linkIndex ?? ''}` : '');

/** Whether a route (or one of its next hops) is marked dead: an address or link coming back revives it silently. */
function someDeadNexthop(routes: Iterable<Route>): boolean {
  for (const r of routes) {
    if (r.flags & RTNH_F_DEAD) return true;
    if (r.multiPath) for (const n of r.multiPath) if (n.flags & RTNH_F_DEAD) return true;
  }
  return false;
}

/** Whether a route (or one of its next hops) goes out through link `index`. */
function someRouteVia(routes: Iterable<Route>, index: number): boolean {
  for (const r of routes) {
    if (r.linkIndex === index) return true;
    if (r.multiPath) for (const n of r.multiPath) if (n.linkIndex === index) return true;
  }
  return false;
}

/**
 * A live map of routes by family, table, destination, TOS and priority (and
 * output link, IPv6), of the routes routeListFiltered(family, filter,
 * filterMask) returns (the main table by default). Route changes the
 * kernel makes without a message (IPv4 routes flushed or next hops marked
 * dead or linkdown, and back, when a link or its carrier or an address
 * changes) are found by listing again when that happens.
 */
export function watchRoutes(
  c: Calls,
  site: Site,
  options?: WatchOptions & { family?: number; filter?: RouteFilter | null; filterMask?: number },
): Watch<Route, LinkUpdate | AddrUpdate | RouteUpdate> {
  const o = checkSubscribeOptions(options, 'watchRoutes', ['family', 'filter', 'filterMask'], false);
  const family = familyArg(ownOption(options, 'family') ?? FAMILY_ALL, 'watchRoutes: options.family');
  const filter = (ownOption(options, 'filter') ?? null) as RouteFilter | null;
  const mask = (ownOption(options, 'filterMask') ?? 0) as number;
  const f = routeFilterArg(filter, mask, family);
  const groups = [...groupsOf(family, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE), RTNLGRP_LINK];
  if (family !== FAMILY_V6) groups.push(RTNLGRP_IPV4_IFADDR);
  const linkState = new Map<number, number>(); // IFF_UP | IFF_LOWER_UP as last seen
  const watch: Watch<Route, LinkUpdate | AddrUpdate | RouteUpdate> = new Watch({
    name: 'watchRoutes',
    subscription: c.subscribe('watchRoutes', groups, o, rtnetlinkUpdate, null),
    list: () => routeListFiltered(c, site, family, filter, mask),
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
      if (u.kind === 'addr') {
        if (u.addr.family !== FAMILY_V4) return null;
        // IPv4 flushes the routes that used a removed address, and marks
        // next hops dead, then alive again when an address comes back, all
        // without a message.
        return u.type === RTM_DELADDR || someDeadNexthop(watch.values()) ? 'relist' : null;
      }
      if (u.family !== FAMILY_ALL) return null;
      // A link going down, up or away, or losing or regaining its carrier,
      // changes routes without a message: IPv4 flushes them or marks their
      // next hops dead or linkdown (and back); IPv6 reports linkdown from
      // the link's state. The first news of a link (its state before
      // unknown) matters only if a route held goes through it.
      const index = u.link.index;
      const bits = u.type === RTM_DELLINK ? -1 : u.link.flags & (IFF_UP | IFF_LOWER_UP);
      const was = linkState.get(index);
      if (u.type === RTM_DELLINK) linkState.delete(index);
      else linkState.set(index, bits);
      if (was === bits || (was === undefined && !someRouteVia(watch.values(), index))) return null;
      return 'relist';
    },
    // Cache information (expiry, use) changes by itself, without a message.
    volatile: ['cacheInfo', 'expires'],
  });
  return watch;
}
