// Conntrack results: vishvananda/netlink's ConntrackFlow and IPTuple in
// lowerCamelCase, plus what ctnetlink sends beyond them. Enumerated values
// (protocol, TCP/SCTP state, status bits) are the kernel's numbers; 64-bit
// counters and timestamps are bigint; absent attributes are null.

/** One direction of a flow (CTA_TUPLE_ORIG / CTA_TUPLE_REPLY). */
export interface ConntrackTuple {
  srcIp: string | null;
  dstIp: string | null;
  /** IPPROTO_* number. */
  protocol: number | null;
  /** Ports of every protocol that has them (TCP, UDP, SCTP, DCCP, UDPLite; GRE keys). */
  srcPort: number | null;
  dstPort: number | null;
  icmpType: number | null;
  icmpCode: number | null;
  icmpId: number | null;
  /** CTA_TUPLE_ZONE: a zone of this direction only (directional zones). */
  zone: number | null;
  /** CTA_COUNTERS_*: null unless accounting (nf_conntrack_acct) is on. */
  bytes: bigint | null;
  packets: bigint | null;
}

/** CTA_PROTOINFO: which fields are set depends on `protocol`. */
export interface ConntrackProtoInfo {
  protocol: 'tcp' | 'sctp' | 'dccp';
  /** TCP_CONNTRACK_*, SCTP_CONNTRACK_* or the DCCP state number. */
  state: number | null;
  wscaleOriginal: number | null;
  wscaleReply: number | null;
  flagsOriginal: number | null;
  flagsReply: number | null;
  vtagOriginal: number | null;
  vtagReply: number | null;
  role: number | null;
  handshakeSeq: bigint | null;
}

/**
 * A flow of the conntrack table, or an expectation of the expect table.
 * For an expectation, as in vishvananda, `forward` is the master's tuple
 * (CTA_EXPECT_MASTER) and `reverse` the expected tuple (CTA_EXPECT_TUPLE);
 * the expect* fields are set only for expectations.
 */
export interface ConntrackFlow {
  /** AF_INET (2) or AF_INET6 (10). */
  familyType: number;
  forward: ConntrackTuple;
  reverse: ConntrackTuple;
  mark: number | null;
  /** The conntrack zone; the kernel omits the default zone, which is 0. */
  zone: number;
  /** IPS_* bits. */
  status: number | null;
  /** Seconds left. */
  timeOut: number | null;
  /** ns since the epoch (CTA_TIMESTAMP, when nf_conntrack_timestamp is on). */
  timeStart: bigint | null;
  timeStop: bigint | null;
  /** 16 bytes of connlabel bits, or null when the flow has none set. */
  labels: Buffer | null;
  use: number | null;
  /** CTA_ID / CTA_EXPECT_ID. */
  id: number | null;
  protoInfo: ConntrackProtoInfo | null;
  /** CTA_HELP name / CTA_EXPECT_HELP_NAME. */
  helper: string | null;
  secCtx: string | null;
  expectMask: ConntrackTuple | null;
  /** NF_CT_EXPECT_* bits. */
  expectFlags: number | null;
  expectClass: number | null;
  expectFn: string | null;
  expectNatDir: number | null;
  expectNatTuple: ConntrackTuple | null;
}

/** What conntrackDeleteFilters accepts besides ConntrackFilter: vishvananda's CustomConntrackFilter. */
export interface CustomConntrackFilter {
  matchConntrackFlow(flow: ConntrackFlow): boolean;
}
