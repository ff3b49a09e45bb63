// Route results: vishvananda/netlink's Route in lowerCamelCase, acronyms as
// words (AdvMSS -> advMss, QuickACK -> quickAck, NHID -> nhId), with the
// RTA_METRICS values flattened onto the route as vishvananda does. Enumerated
// values are the kernel's numbers (RTN_*, RT_SCOPE_*, RTPROT_*, RT_TABLE_*,
// RTM_F_* / RTNH_F_* bits); absent attributes are null.

/** RTA_VIA: a gateway of another family (IPv6 next hop of an IPv4 route, MPLS). */
export interface Via {
  /** AF_INET, AF_INET6, AF_PACKET ... */
  addrFamily: number;
  /** The address; hex bytes for non-IP families. */
  addr: string | null;
}

/** RTA_CACHEINFO (struct rta_cacheinfo), sent with IPv6 routes. */
export interface RouteCacheInfo {
  users: number;
  age: number;
  /** clock_t (1/100 s); negative once expired. */
  expires: number;
  error: number;
  used: number;
  id: number;
  ts: number;
  tsage: number;
}

/** One path of a multipath route (struct rtnexthop and its attributes). */
export interface NexthopInfo {
  linkIndex: number;
  /** rtnh_hops: weight - 1. */
  hops: number;
  gw: string | null;
  /** RTNH_F_* bits */
  flags: number;
  /** RTA_NEWDST: MPLS labels as iproute2 prints them ('100/200'). */
  newDst: string | null;
  /** LWTUNNEL_ENCAP_* */
  encapType: number | null;
  /** The raw RTA_ENCAP payload (nested attributes of encapType). */
  encap: Buffer | null;
  via: Via | null;
}

export interface Route {
  /** RTA_OIF: output link (null on multipath, blackhole, ... routes). */
  linkIndex: number | null;
  /** RTA_IIF: input link. */
  iLinkIndex: number | null;
  /** RT_SCOPE_* */
  scope: number;
  /** Destination prefix; '0.0.0.0/0' / '::/0' when the kernel sent no RTA_DST. Null for MPLS. */
  dst: string | null;
  /** RTA_PREFSRC: preferred source address. */
  src: string | null;
  /** RTA_GATEWAY */
  gw: string | null;
  /** RTA_MULTIPATH next hops, or null. */
  multiPath: NexthopInfo[] | null;
  /** RTPROT_* */
  protocol: number;
  /** RTA_PRIORITY: the metric. */
  priority: number | null;
  /** rtm_family: AF_INET, AF_INET6, AF_MPLS, RTNL_FAMILY_IPMR ... */
  family: number;
  /** RTA_TABLE, else rtm_table (RT_TABLE_MAIN = 254, RT_TABLE_LOCAL = 255, ...). */
  table: number;
  /** RTN_* */
  type: number;
  tos: number;
  /** rtm_flags: RTNH_F_* (onlink, linkdown ...) and RTM_F_* bits. */
  flags: number;
  /** MPLS routes: the destination label. */
  mplsDst: number | null;
  /** RTA_NEWDST: MPLS labels ('100/200'). */
  newDst: string | null;
  /** RTA_ENCAP_TYPE: LWTUNNEL_ENCAP_* */
  encapType: number | null;
  /** The raw RTA_ENCAP payload. */
  encap: Buffer | null;
  via: Via | null;
  /** RTA_FLOW */
  realm: number | null;
  /** RTA_PREF: IPv6 router preference (ICMPV6_ROUTER_PREF_*). Not in vishvananda. */
  pref: number | null;
  // RTA_METRICS, flattened
  mtu: number | null;
  /** RTAX_MTU locked (bit test on RTAX_LOCK). */
  mtuLock: boolean | null;
  window: number | null;
  rtt: number | null;
  rttVar: number | null;
  ssthresh: number | null;
  cwnd: number | null;
  advMss: number | null;
  reordering: number | null;
  hoplimit: number | null;
  initCwnd: number | null;
  features: number | null;
  rtoMin: number | null;
  /** RTAX_RTO_MIN locked (bit test on RTAX_LOCK). */
  rtoMinLock: boolean | null;
  initRwnd: number | null;
  quickAck: number | null;
  congctl: string | null;
  fastOpenNoCookie: number | null;
  /** The raw RTAX_LOCK bitmask (1 << RTAX_*). Not in vishvananda. */
  locks: number | null;
  /** Seconds until the route expires (cacheInfo.expires / 100); null without RTA_CACHEINFO. */
  expires: number | null;
  cacheInfo: RouteCacheInfo | null;
  /** RTA_NH_ID: the nexthop object this route uses. */
  nhId: number | null;
}

/**
 * The filter of routeListFiltered: the fields its mask names (RT_FILTER_*).
 * dst/src/gw may be null (= routes without one; a null dst means the default
 * route).
 */
export type RouteFilter = Partial<
  Pick<
    Route,
    | 'protocol'
    | 'scope'
    | 'type'
    | 'tos'
    | 'iLinkIndex'
    | 'linkIndex'
    | 'dst'
    | 'src'
    | 'gw'
    | 'table'
    | 'hoplimit'
    | 'priority'
    | 'realm'
  >
>;
