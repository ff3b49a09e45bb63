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
