// The updates subscriptions yield, with vishvananda/netlink's fields
// (LinkUpdate, AddrUpdate, RouteUpdate), and how each is made from an event
// record: the object is decoded exactly as the list calls decode it.
import type { EventRecord } from './subscription';
import type { Addr } from './types/addr';
import type { Link } from './types/link';
import type { Route } from './types/route';
import { RTM_DELADDR, RTM_DELLINK, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE } from './uapi';

export interface LinkUpdate {
  kind: 'link';
  /** RTM_NEWLINK or RTM_DELLINK. */
  type: number;
  /**
   * ifi_family: AF_UNSPEC for the link itself; AF_BRIDGE for a bridge
   * port's own news (its RTM_DELLINK means it left the bridge, not that the
   * link is gone).
   */
  family: number;
  link: Link;
}

export interface AddrUpdate {
  kind: 'addr';
  /** RTM_NEWADDR or RTM_DELADDR. */
  type: number;
  /** True for RTM_NEWADDR. */
  newAddr: boolean;
  /** The address as a CIDR string (addr.ipNet). */
  linkAddress: string | null;
  linkIndex: number;
  /** IFA_F_* bits. */
  flags: number;
  /** RT_SCOPE_*. */
  scope: number;
  preferedLft: number | null;
  validLft: number | null;
  addr: Addr;
}

export interface RouteUpdate {
  kind: 'route';
  /** RTM_NEWROUTE or RTM_DELROUTE. */
  type: number;
  /** The message's NLM_F_* flags (NLM_F_CREATE, NLM_F_REPLACE, ...). */
  nlFlags: number;
  route: Route;
}

export function linkUpdate(e: EventRecord): LinkUpdate {
  return { kind: 'link', type: e.msgType, family: e.family ?? 0, link: e.object as Link };
}

export function addrUpdate(e: EventRecord): AddrUpdate {
  const a = e.object as Addr;
  return {
    kind: 'addr',
    type: e.msgType,
    newAddr: e.msgType === RTM_NEWADDR,
    linkAddress: a.ipNet,
    linkIndex: a.linkIndex,
    flags: a.flags,
    scope: a.scope,
    preferedLft: a.preferedLft,
    validLft: a.validLft,
    addr: a,
  };
}

export function routeUpdate(e: EventRecord): RouteUpdate {
  return { kind: 'route', type: e.msgType, nlFlags: e.flags, route: e.object as Route };
}

/** listExisting: a listed object as the update that would have created it. */
export const existingLink = (link: Link): LinkUpdate => linkUpdate({ msgType: RTM_NEWLINK, flags: 0, family: 0, object: link });
export const existingAddr = (addr: Addr): AddrUpdate =>
  addrUpdate({ msgType: RTM_NEWADDR, flags: 0, family: addr.family, object: addr });
export const existingRoute = (route: Route): RouteUpdate =>
  routeUpdate({ msgType: RTM_NEWROUTE, flags: 0, family: route.family, object: route });

/** Any rtnetlink event (a watch that follows several groups). */
export function rtnetlinkUpdate(e: EventRecord): LinkUpdate | AddrUpdate | RouteUpdate {
  switch (e.msgType) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
      return linkUpdate(e);
    case RTM_NEWADDR:
    case RTM_DELADDR:
      return addrUpdate(e);
    default:
      return routeUpdate(e);
  }
}
