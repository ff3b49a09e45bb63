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

/**
 * An address lifetime that never ends: Addr.preferedLft / validLft hold it for
 * permanent addresses (the kernel's INFINITY_LIFE_TIME, 0xFFFFFFFF; iproute2
 * prints it as "forever").
 */
export const ADDR_LIFETIME_FOREVER = 0xffffffff;

/**
 * routeListFiltered mask bits, with vishvananda/netlink's values (1 << 1 ...
 * 1 << 15). RT_FILTER_MARK and RT_FILTER_MASK exist there for route lookups
 * and do nothing in its route lists; nlwrap rejects them with a RangeError.
 * RT_FILTER_PRIORITY, which v1.3 declares but ignores, is honoured here.
 */
export const RT_FILTER_PROTOCOL = 1 << 1;
export const RT_FILTER_SCOPE = 1 << 2;
export const RT_FILTER_TYPE = 1 << 3;
export const RT_FILTER_TOS = 1 << 4;
export const RT_FILTER_IIF = 1 << 5;
export const RT_FILTER_OIF = 1 << 6;
export const RT_FILTER_DST = 1 << 7;
export const RT_FILTER_SRC = 1 << 8;
export const RT_FILTER_GW = 1 << 9;
export const RT_FILTER_TABLE = 1 << 10;
export const RT_FILTER_HOPLIMIT = 1 << 11;
export const RT_FILTER_PRIORITY = 1 << 12;
export const RT_FILTER_MARK = 1 << 13;
export const RT_FILTER_MASK = 1 << 14;
export const RT_FILTER_REALM = 1 << 15;
/** XFRM_INF: an XFRM limit of 2^64-1 means "no limit" (ip prints (INF)). */
export const XFRM_INF = 0xffff_ffff_ffff_ffffn;
/** Conntrack tables, as vishvananda's ConntrackTable / ConntrackExpectTable (NFNL_SUBSYS_CTNETLINK{,_EXP}). */
export const ConntrackTable = 1;
export const ConntrackExpectTable = 2;

/** Conntrack filter types, with vishvananda/netlink v1.3's values. */
export const ConntrackOrigSrcIP = 0;
export const ConntrackOrigDstIP = 1;
export const ConntrackReplySrcIP = 2;
export const ConntrackReplyDstIP = 3;
export const ConntrackReplyAnyIP = 4;
export const ConntrackOrigSrcPort = 5;
export const ConntrackOrigDstPort = 6;
export const ConntrackMatchLabels = 7;
export const ConntrackUnmatchLabels = 8;
/** Deprecated aliases kept by vishvananda: use ConntrackReply*IP. */
export const ConntrackNatSrcIP = ConntrackReplySrcIP;
export const ConntrackNatDstIP = ConntrackReplyDstIP;
export const ConntrackNatAnyIP = ConntrackReplyAnyIP;
/**
 * nlwrap's status filter types (vishvananda v1.3 has none): every bit set /
 * no bit set. Numbered after vishvananda's last type.
 */
export const ConntrackMatchStatus = 9;
export const ConntrackUnmatchStatus = 10;
