// Client-side filters of addrList / routeList / routeListFiltered (their
// argument checks are in args.ts). They reproduce vishvananda/netlink v1.3's
// semantics; the facade applies them to every reply, whether or not the
// kernel already filtered (kernel-side filtering only narrows what is read:
// its "route uses this device" test is looser than vishvananda's OIF).
import type { CheckedRouteFilter } from './args';
import {
  FAMILY_ALL,
  RT_FILTER_DST,
  RT_FILTER_GW,
  RT_FILTER_HOPLIMIT,
  RT_FILTER_IIF,
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
import type { Addr } from './types/addr';
import type { Route } from './types/route';
import type { OpArgs } from './generated/args';

const RT_TABLE_MAIN = 254;
const RTM_F_CLONED = 0x200;

export function addrMatches(a: Addr, index: number, family: number): boolean {
  return (index === 0 || a.linkIndex === index) && (family === FAMILY_ALL || a.family === family);
}

/** The arguments of the route.dump op: what the kernel can filter on. */
export function routeDumpArgs(family: number, f: CheckedRouteFilter, kernelFilter: boolean): OpArgs['route.dump'] {
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
