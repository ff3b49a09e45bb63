// Address results: vishvananda/netlink's Addr in lowerCamelCase (its own
// spelling "preferedLft" kept). Enumerated values are the kernel's numbers
// (RT_SCOPE_*, IFA_F_* bits, IFAPROT_*); absent attributes are null.

export interface Addr {
  /**
   * The address and prefix length as a CIDR string, the address as the kernel
   * sent it ('10.1.2.3/24'). On a point-to-point address with a peer, the
   * local address as a host prefix ('10.0.0.1/32'); the prefix is on `peer`.
   */
  ipNet: string | null;
  /** The peer of a point-to-point address ('10.0.0.2/24'), else null. */
  peer: string | null;
  /** IFA_BROADCAST (IPv4). */
  broadcast: string | null;
  /** IFA_LABEL ('eth0', 'eth0:1'; IPv4 only). */
  label: string | null;
  /** IFA_F_* bits: IFA_FLAGS (32 bits) when sent, else the header's ifa_flags. */
  flags: number;
  /** RT_SCOPE_* */
  scope: number;
  /** Seconds; ADDR_LIFETIME_FOREVER (0xFFFFFFFF) = forever. Null without IFA_CACHEINFO. */
  preferedLft: number | null;
  /** Seconds; ADDR_LIFETIME_FOREVER (0xFFFFFFFF) = forever. Null without IFA_CACHEINFO. */
  validLft: number | null;
  /** The link's ifindex. */
  linkIndex: number;
  /** IFA_PROTO (IFAPROT_*, kernel 5.18+): who added the address. */
  protocol: number | null;
  /** The message's family: AF_INET (2) or AF_INET6 (10). Not in vishvananda's Addr. */
  family: number;
}

/** Options of addrList / routeList / routeListFiltered. */
export interface ListOptions {
  /**
   * Put link, family and table in the dump request so the kernel filters
   * (needs NETLINK_GET_STRICT_CHK, Linux 4.20+). Default true; false dumps
   * everything and filters in JavaScript, as vishvananda does. The results
   * are the same; only the bytes read differ.
   */
  kernelFilter?: boolean;
}
