// Link results: vishvananda/netlink's LinkAttrs in lowerCamelCase, with the
// kind's own fields flattened onto the same object. Enumerated values are the
// kernel's numbers (IF_OPER_*, ARPHRD_*, IFF_* bits, MACVLAN_MODE_*,
// BOND_MODE_* ...); absent attributes are null. A kind nlwrap decodes always
// carries all of its fields (null where the kernel sent none), so every link
// of one kind has the same shape. A kind field whose Go name collides with a
// LinkAttrs field takes the Go type as prefix (vxlanGroup, tuntapFlags,
// gretunEncapType). A port's IFLA_INFO_SLAVE_DATA is the nested `slave`
// object (Go's LinkAttrs.Slave), so it can never collide with kind fields.

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
  /** Promiscuity count (> 0: promiscuous): IFLA_PROMISCUITY, as vishvananda v1.3's Promisc. */
  promisc: number | null;
  /** 1 when IFF_ALLMULTI is set, else 0: vishvananda's Allmulti. */
  allmulti: number;
  /** IFLA_ALLMULTI: how many want all-multicast (what `ip -d` prints as allmulti); a bridge port counts 1 without the flag. */
  allmultiCount: number | null;
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
  /** IFLA_INFO_SLAVE_KIND of a port ('bridge', 'bond', 'vrf'). */
  slaveType: string | null;
  /** The port's data (IFLA_INFO_SLAVE_DATA) for the slave kinds nlwrap decodes, else null. */
  slave: LinkSlave | null;
  numVf: number | null;
  vfs: LinkVf[] | null;
  xdp: LinkXdp | null;
  statistics: LinkStatistics | null;
}

// ---- port (slave) data ----

/** A bridge port (IFLA_BRPORT_*); timers in hundredths of a second. */
export interface BridgePort {
  /** BR_STATE_* */
  state: number | null;
  priority: number | null;
  cost: number | null;
  hairpin: boolean | null;
  guard: boolean | null;
  rootBlock: boolean | null;
  fastLeave: boolean | null;
  learning: boolean | null;
  flood: boolean | null;
  proxyArp: boolean | null;
  proxyArpWifi: boolean | null;
  /** "8000.aa:bb:cc:dd:ee:ff" */
  rootId: string | null;
  bridgeId: string | null;
  designatedPort: number | null;
  designatedCost: number | null;
  id: number | null;
  no: number | null;
  topologyChangeAck: boolean | null;
  configPending: boolean | null;
  messageAgeTimer: number | null;
  forwardDelayTimer: number | null;
  holdTimer: number | null;
  multicastRouter: number | null;
  mcastFlood: boolean | null;
  mcastToUcast: boolean | null;
  vlanTunnel: boolean | null;
  bcastFlood: boolean | null;
  groupFwdMask: number | null;
  neighSuppress: boolean | null;
  isolated: boolean | null;
  /** ifindex of the backup port */
  backupPort: number | null;
  mrpRingOpen: boolean | null;
  mrpInOpen: boolean | null;
  mcastEhtHostsLimit: number | null;
  mcastEhtHostsCnt: number | null;
  locked: boolean | null;
}

/** A bond port (IFLA_BOND_SLAVE_*): vishvananda's BondSlave. */
export interface BondSlave {
  /** BOND_STATE_* */
  state: number | null;
  /** BOND_LINK_* */
  miiStatus: number | null;
  linkFailureCount: number | null;
  permHardwareAddr: string | null;
  queueId: number | null;
  aggregatorId: number | null;
  adActorOperPortState: number | null;
  adPartnerOperPortState: number | null;
}

/** A VRF port (IFLA_VRF_PORT_TABLE): vishvananda's VrfSlave. */
export interface VrfSlave {
  table: number | null;
}

/** Port data; which one is told by the link's slaveType. */
export type LinkSlave = BridgePort | BondSlave | VrfSlave;

// ---- kinds ----

/** A link without IFLA_INFO_KIND (physical NICs, lo). */
export interface Device extends LinkAttrs {
  type: 'device';
}

/** veth: the kernel sends no kind data; parentIndex is the peer's index (netNsId its namespace). */
export interface Veth extends LinkAttrs {
  type: 'veth';
}

export interface Dummy extends LinkAttrs {
  type: 'dummy';
}

export interface Ifb extends LinkAttrs {
  type: 'ifb';
}

/**
 * bridge (IFLA_BR_*): vishvananda's Bridge fields first, then the rest
 * under their uapi names. Times and timers are the kernel's clock_t
 * (hundredths of a second).
 */
export interface Bridge extends LinkAttrs {
  type: 'bridge';
  multicastSnooping: boolean | null;
  ageingTime: number | null;
  helloTime: number | null;
  vlanFiltering: boolean | null;
  vlanDefaultPvid: number | null;
  groupFwdMask: number | null;
  forwardDelay: number | null;
  maxAge: number | null;
  stpState: number | null;
  priority: number | null;
  /** ETH_P_8021Q / ETH_P_8021AD */
  vlanProtocol: number | null;
  rootId: string | null;
  bridgeId: string | null;
  rootPort: number | null;
  rootPathCost: number | null;
  topologyChange: boolean | null;
  topologyChangeDetected: boolean | null;
  helloTimer: number | null;
  tcnTimer: number | null;
  topologyChangeTimer: number | null;
  gcTimer: number | null;
  groupAddr: string | null;
  mcastRouter: number | null;
  mcastQueryUseIfaddr: boolean | null;
  mcastQuerier: boolean | null;
  mcastHashElasticity: number | null;
  mcastHashMax: number | null;
  mcastLastMemberCnt: number | null;
  mcastStartupQueryCnt: number | null;
  mcastLastMemberIntvl: number | null;
  mcastMembershipIntvl: number | null;
  mcastQuerierIntvl: number | null;
  mcastQueryIntvl: number | null;
  mcastQueryResponseIntvl: number | null;
  mcastStartupQueryIntvl: number | null;
  nfCallIptables: boolean | null;
  nfCallIp6tables: boolean | null;
  nfCallArptables: boolean | null;
  vlanStatsEnabled: boolean | null;
  vlanStatsPerPort: boolean | null;
  mcastStatsEnabled: boolean | null;
  mcastIgmpVersion: number | null;
  mcastMldVersion: number | null;
  noLinklocalLearn: boolean | null;
  mcastVlanSnooping: boolean | null;
}

export interface VlanQosMapping {
  from: number;
  to: number;
}

export interface Vlan extends LinkAttrs {
  type: 'vlan';
  vlanId: number | null;
  /** ETH_P_8021Q / ETH_P_8021AD */
  vlanProtocol: number | null;
  ingressQosMap: VlanQosMapping[] | null;
  egressQosMap: VlanQosMapping[] | null;
  reorderHdr: boolean | null;
  gvrp: boolean | null;
  looseBinding: boolean | null;
  mvrp: boolean | null;
  bridgeBinding: boolean | null;
}

export interface Macvlan extends LinkAttrs {
  type: 'macvlan';
  /** MACVLAN_MODE_* (the kernel's bit, not vishvananda's enum) */
  mode: number | null;
  /** Source MACs (MACVLAN_MODE_SOURCE only). */
  macAddrs: string[] | null;
  bcQueueLen: number | null;
  usedBcQueueLen: number | null;
  /** MACVLAN_FLAG_* */
  macvlanFlags: number | null;
}

export interface Macvtap extends Omit<Macvlan, 'type'> {
  type: 'macvtap';
}

export interface IPVlan extends LinkAttrs {
  type: 'ipvlan';
  /** IPVLAN_MODE_* */
  mode: number | null;
  /** IPVLAN_F_* bits */
  flag: number | null;
}

export interface IPVtap extends Omit<IPVlan, 'type'> {
  type: 'ipvtap';
}

/** tun/tap devices (kind 'tun'): vishvananda's Tuntap. */
export interface Tuntap extends LinkAttrs {
  type: 'tun';
  /** IFF_TUN or IFF_TAP */
  mode: number | null;
  /** IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE */
  tuntapFlags: number | null;
  nonPersist: boolean | null;
  queues: number | null;
  disabledQueues: number | null;
  /** uid; null when the device has no owner */
  owner: number | null;
  /** gid; null when the device has no group */
  tuntapGroup: number | null;
}

export interface BondAdInfo {
  aggregatorId: number | null;
  numPorts: number | null;
  actorKey: number | null;
  partnerKey: number | null;
  partnerMac: string | null;
}

/** bond (IFLA_BOND_*): vishvananda's Bond, plus three newer uapi attributes. */
export interface Bond extends LinkAttrs {
  type: 'bond';
  /** BOND_MODE_* */
  mode: number | null;
  /** ifindex of the active port */
  activeSlave: number | null;
  miimon: number | null;
  upDelay: number | null;
  downDelay: number | null;
  useCarrier: number | null;
  arpInterval: number | null;
  arpIpTargets: string[] | null;
  arpValidate: number | null;
  arpAllTargets: number | null;
  /** ifindex of the primary port */
  primary: number | null;
  primaryReselect: number | null;
  failOverMac: number | null;
  /** BOND_XMIT_POLICY_* */
  xmitHashPolicy: number | null;
  resendIgmp: number | null;
  numPeerNotif: number | null;
  allSlavesActive: number | null;
  minLinks: number | null;
  lpInterval: number | null;
  packetsPerSlave: number | null;
  lacpRate: number | null;
  adSelect: number | null;
  adInfo: BondAdInfo | null;
  adActorSysPrio: number | null;
  adUserPortKey: number | null;
  adActorSystem: string | null;
  tlbDynamicLb: number | null;
  peerNotifDelay: number | null;
  adLacpActive: number | null;
  missedMax: number | null;
}

export interface Geneve extends LinkAttrs {
  type: 'geneve';
  /** VNI */
  id: number | null;
  remote: string | null;
  ttl: number | null;
  tos: number | null;
  dport: number | null;
  udpCsum: number | null;
  udpZeroCsum6Tx: number | null;
  udpZeroCsum6Rx: number | null;
  link: number | null;
  flowBased: boolean;
  innerProtoInherit: boolean;
  /** GENEVE_DF_* */
  df: number | null;
  portLow: number | null;
  portHigh: number | null;
  label: number | null;
  ttlInherit: boolean | null;
}

interface GreFields {
  link: number | null;
  /** GRE header flags (GRE_KEY, GRE_CSUM, ...), host order */
  iFlags: number | null;
  oFlags: number | null;
  iKey: number | null;
  oKey: number | null;
  local: string | null;
  remote: string | null;
  ttl: number | null;
  tos: number | null;
  pMtuDisc: number | null;
  encapFlags: number | null;
  encapSport: number | null;
  encapDport: number | null;
  flowBased: boolean;
  /** ip6gre / ip6gretap only */
  encapLimit: number | null;
  flowInfo: number | null;
  ignoreDf: boolean | null;
  fwmark: number | null;
}

/** gre and ip6gre: vishvananda's Gretun. */
export interface Gretun extends LinkAttrs, GreFields {
  type: 'gre' | 'ip6gre';
  /** TUNNEL_ENCAP_* */
  gretunEncapType: number | null;
  /** IFLA_GRE_FLAGS (ip6gre: IP6_TNL_F_*) */
  gretunFlags: number | null;
}

/** gretap and ip6gretap: vishvananda's Gretap. */
export interface Gretap extends LinkAttrs, GreFields {
  type: 'gretap' | 'ip6gretap';
  /** TUNNEL_ENCAP_* */
  gretapEncapType: number | null;
  gretapFlags: number | null;
}

/** ipip: vishvananda's Iptun. */
export interface Iptun extends LinkAttrs {
  type: 'ipip';
  ttl: number | null;
  tos: number | null;
  pMtuDisc: number | null;
  link: number | null;
  local: string | null;
  remote: string | null;
  encapSport: number | null;
  encapDport: number | null;
  /** TUNNEL_ENCAP_* */
  iptunEncapType: number | null;
  encapFlags: number | null;
  flowBased: boolean;
  /** IPPROTO_* */
  proto: number | null;
  fwmark: number | null;
}

/** sit: vishvananda's Sittun. */
export interface Sittun extends LinkAttrs {
  type: 'sit';
  link: number | null;
  ttl: number | null;
  tos: number | null;
  pMtuDisc: number | null;
  /** IPPROTO_* (IPPROTO_IPV6, IPPROTO_IPIP, 0 = any) */
  proto: number | null;
  local: string | null;
  remote: string | null;
  encapLimit: number | null;
  /** TUNNEL_ENCAP_* */
  sittunEncapType: number | null;
  encapFlags: number | null;
  encapSport: number | null;
  encapDport: number | null;
  /** SIT_ISATAP */
  sittunFlags: number | null;
  fwmark: number | null;
}

export interface Vrf extends LinkAttrs {
  type: 'vrf';
  table: number | null;
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
  /** VXLAN_DF_* */
  df: number | null;
}

/** A link of a kind nlwrap has no decoder for: common fields only. */
export interface GenericLink extends LinkAttrs {
  type: string;
}

/** Every kind nlwrap decodes, discriminated on `type`. */
export type KnownLink =
  | Device
  | Veth
  | Dummy
  | Ifb
  | Bridge
  | Vlan
  | Vxlan
  | Macvlan
  | Macvtap
  | IPVlan
  | IPVtap
  | Tuntap
  | Bond
  | Geneve
  | Gretun
  | Gretap
  | Iptun
  | Sittun
  | Vrf;

/** The member of KnownLink whose `type` is K. */
export type LinkOfType<K extends KnownLink['type']> = KnownLink extends infer L
  ? L extends { type: infer T }
    ? K extends T
      ? L
      : never
    : never
  : never;

/**
 * A link. Because GenericLink's `type` is any string, comparing `link.type`
 * alone does not narrow the union in TypeScript: use isLinkType(link, 'bond').
 */
export type Link = KnownLink | GenericLink;
