// Link results: vishvananda/netlink's LinkAttrs in lowerCamelCase, with the
// kind's own fields flattened onto the same object. Enumerated values are the
// kernel's numbers (IF_OPER_*, ARPHRD_*, IFF_* bits); absent attributes are null.

export interface LinkStatistics {
  rxPackets: bigint;
  txPackets: bigint;
  rxBytes: bigint;
  txBytes: bigint;
  rxErrors: bigint;
  txErrors: bigint;
  rxDropped: bigint;
  txDropped: bigint;
  multicast: bigint;
  collisions: bigint;
  rxLengthErrors: bigint;
  rxOverErrors: bigint;
  rxCrcErrors: bigint;
  rxFrameErrors: bigint;
  rxFifoErrors: bigint;
  rxMissedErrors: bigint;
  txAbortedErrors: bigint;
  txCarrierErrors: bigint;
  txFifoErrors: bigint;
  txHeartbeatErrors: bigint;
  txWindowErrors: bigint;
  rxCompressed: bigint;
  txCompressed: bigint;
  rxNohandler: bigint | null;
  rxOtherhostDropped: bigint | null;
}

export interface LinkXdp {
  attached: boolean | null;
  /** XDP_ATTACHED_* */
  attachMode: number | null;
  flags: number | null;
  progId: number | null;
}

export interface LinkVf {
  id: number | null;
  mac: string | null;
  vlan: number | null;
  qos: number | null;
  vlanProto: number | null;
  txRate: number | null;
  spoofchk: boolean | null;
  linkState: number | null;
  maxTxRate: number | null;
  minTxRate: number | null;
  trust: boolean | null;
  rssQuery: boolean | null;
  rxPackets: bigint | null;
  txPackets: bigint | null;
  rxBytes: bigint | null;
  txBytes: bigint | null;
  multicast: bigint | null;
  broadcast: bigint | null;
  rxDropped: bigint | null;
  txDropped: bigint | null;
}

/** Fields every link has, whatever its kind. */
export interface LinkAttrs {
  index: number;
  name: string;
  /** IFLA_INFO_KIND ('veth', 'bridge', ...), or 'device' when there is none. */
  type: string;
  mtu: number | null;
  txQLen: number | null;
  hardwareAddr: string | null;
  permHwAddr: string | null;
  broadcast: string | null;
  /** ifi_flags (IFF_* bits), as the kernel sent them. */
  flags: number;
  rawFlags: number;
  /** ifi_type: ARPHRD_* */
  encapType: number;
  /** IFLA_LINK: the parent or, for veth, the peer's index. */
  parentIndex: number | null;
  masterIndex: number | null;
  alias: string | null;
  altNames: string[] | null;
  /** IF_OPER_* */
  operState: number | null;
  linkMode: number | null;
  /** Promiscuity count (> 0: promiscuous). */
  promisc: number | null;
  allmulti: number | null;
  multi: boolean;
  carrier: boolean | null;
  carrierChanges: number | null;
  carrierUpCount: number | null;
  carrierDownCount: number | null;
  protoDown: boolean | null;
  netNsId: number | null;
  group: number | null;
  qdisc: string | null;
  numTxQueues: number | null;
  numRxQueues: number | null;
  minMtu: number | null;
  maxMtu: number | null;
  gsoMaxSegs: number | null;
  gsoMaxSize: number | null;
  groMaxSize: number | null;
  gsoIpv4MaxSize: number | null;
  groIpv4MaxSize: number | null;
  tsoMaxSegs: number | null;
  tsoMaxSize: number | null;
  physPortId: string | null;
  physPortName: string | null;
  physSwitchId: string | null;
  parentDev: string | null;
  parentDevBus: string | null;
  /** IFLA_INFO_SLAVE_KIND of a port ('bridge', 'bond'). */
  slaveType: string | null;
  numVf: number | null;
  vfs: LinkVf[] | null;
  xdp: LinkXdp | null;
  statistics: LinkStatistics | null;
}

export interface Vxlan extends LinkAttrs {
  type: 'vxlan';
  vxlanId: number | null;
  vtepDevIndex: number | null;
  srcAddr: string | null;
  vxlanGroup: string | null;
  ttl: number | null;
  tos: number | null;
  learning: boolean | null;
  proxy: boolean | null;
  rsc: boolean | null;
  l2miss: boolean | null;
  l3miss: boolean | null;
  udpCSum: boolean | null;
  udp6ZeroCSumTx: boolean | null;
  udp6ZeroCSumRx: boolean | null;
  noAge: boolean | null;
  gbp: boolean | null;
  flowBased: boolean | null;
  age: number | null;
  limit: number | null;
  port: number | null;
  portLow: number | null;
  portHigh: number | null;
  label: number | null;
  df: number | null;
}

/** A link of a kind nlwrap has no decoder for: common fields only. */
export interface GenericLink extends LinkAttrs {
  type: string;
}

export type Link = Vxlan | GenericLink;
