// Library-level constants with vishvananda/netlink's names and values. The
// kernel's own constants (RTN_*, IF_OPER_*, ...) are in uapi.ts, generated
// from the uapi headers.

/** Address families, as vishvananda's FAMILY_* (AF_UNSPEC, AF_INET, AF_INET6). */
export const FAMILY_ALL = 0;
export const FAMILY_V4 = 2;
export const FAMILY_V6 = 10;

/** Netlink protocols a Handle can open. */
export const NETLINK_ROUTE = 0;
export const NETLINK_XFRM = 6;
export const NETLINK_NETFILTER = 12;

/** XFRM_INF: an XFRM limit of 2^64-1 means "no limit" (ip prints (INF)). */
export const XFRM_INF = 0xffff_ffff_ffff_ffffn;
