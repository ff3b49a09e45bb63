// The oracle for link tests: compares one nlwrap Link with the same link in
// `ip -j -d link show`, field by field, common attributes and each kind's
// info_data / info_slave_data. iproute2 prints names where nlwrap returns the
// kernel's numbers, so each table below maps one ip key to a field and a
// conversion. Shared by test/kernel/links.test.ts (host) and the UML guest tests.
import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import * as uapi from '../../lib/uapi';
import type { Link } from '../../lib/index';

export interface IpLink {
  ifindex: number;
  ifname: string;
  mtu: number;
  address?: string;
  broadcast?: string;
  operstate: string;
  linkmode?: string;
  txqlen?: number;
  qdisc?: string;
  master?: string;
  link?: string | null;
  link_index?: number;
  link_netnsid?: number;
  flags: string[];
  ifalias?: string;
  altnames?: string[];
  promiscuity?: number;
  allmulti?: number;
  group?: string;
  min_mtu?: number;
  max_mtu?: number;
  num_tx_queues?: number;
  num_rx_queues?: number;
  gso_max_size?: number;
  gso_max_segs?: number;
  tso_max_size?: number;
  tso_max_segs?: number;
  gro_max_size?: number;
  gso_ipv4_max_size?: number;
  gro_ipv4_max_size?: number;
  linkinfo?: {
    info_kind?: string;
    info_data?: Record<string, unknown>;
    info_slave_kind?: string;
    info_slave_data?: Record<string, unknown>;
  };
}

type Conv = (v: unknown, ctx: Ctx) => unknown;
type Row = [ipKey: string, field: string, conv?: Conv];
interface Ctx {
  nameToIndex: Map<string, number>;
}

const OPER = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
// iproute2's print_link_flags order and names (RUNNING is folded into NO-CARRIER).
const FLAG_NAMES: [number, string][] = [
  [uapi.IFF_LOOPBACK, 'LOOPBACK'],
  [uapi.IFF_BROADCAST, 'BROADCAST'],
  [uapi.IFF_POINTOPOINT, 'POINTOPOINT'],
  [uapi.IFF_MULTICAST, 'MULTICAST'],
  [uapi.IFF_NOARP, 'NOARP'],
  [uapi.IFF_ALLMULTI, 'ALLMULTI'],
  [uapi.IFF_PROMISC, 'PROMISC'],
  [uapi.IFF_NOTRAILERS, 'NOTRAILERS'],
  [uapi.IFF_DEBUG, 'DEBUG'],
  [uapi.IFF_DYNAMIC, 'DYNAMIC'],
  [uapi.IFF_AUTOMEDIA, 'AUTOMEDIA'],
  [uapi.IFF_PORTSEL, 'PORTSEL'],
  [uapi.IFF_SLAVE, 'SLAVE'],
  [uapi.IFF_MASTER, 'MASTER'],
  [uapi.IFF_UP, 'UP'],
  [uapi.IFF_LOWER_UP, 'LOWER_UP'],
  [uapi.IFF_DORMANT, 'DORMANT'],
  [uapi.IFF_ECHO, 'ECHO'],
];

/**
 * A link-layer address as nlwrap returns it (colon hex, null when all zero).
 * ip prints a tunnel's IFLA_ADDRESS as an IP address ("10.3.3.1", "::");
 * nlwrap, like vishvananda's HardwareAddr, gives its bytes.
 */
export function linkAddr(printed: string | undefined): string | null {
  if (printed === undefined) return null;
  let bytes: number[];
  if (/^([0-9a-f]{2}:)*[0-9a-f]{2}$/.test(printed)) bytes = printed.split(':').map((x) => parseInt(x, 16));
  else if (isIPv4(printed)) bytes = printed.split('.').map(Number);
  else if (isIPv6(printed)) {
    const [head, tail = ''] = printed.split('::');
    const words = (x: string): number[] => (x === '' ? [] : x.split(':').map((w) => parseInt(w, 16)));
    const h = words(head);
    const t = printed.includes('::') ? words(tail) : [];
    const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
    bytes = all.flatMap((w) => [w >> 8, w & 255]);
  } else throw new Error(`unknown link address form ${printed}`);
  if (bytes.every((b) => b === 0)) return null;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function ipFlagNames(flags: number): string[] {
  const out = FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, n]) => n);
  if (flags & uapi.IFF_UP && !(flags & uapi.IFF_RUNNING)) out.unshift('NO-CARRIER');
  return out.sort();
}

// Conversions from ip's printed form to nlwrap's.
const num: Conv = (v) => Number(v);
const bool: Conv = (v) => Boolean(v);
const same: Conv = (v) => v;
const centis: Conv = (v) => Math.round(Number(v) * 100); // ip prints timers in seconds
const byName =
  (names: Record<string, number>): Conv =>
  (v) => {
    assert.ok(String(v) in names, `unknown name ${String(v)}`);
    return names[String(v)];
  };
const ifindexOf: Conv = (v, ctx) => (v === null ? null : (ctx.nameToIndex.get(String(v)) ?? NaN));
const vlanProto = byName({
  '802.1Q': uapi.ETH_P_8021Q,
  '802.1q': uapi.ETH_P_8021Q,
  '802.1ad': uapi.ETH_P_8021AD,
  '802.1AD': uapi.ETH_P_8021AD,
});
// iproute2 prints a port's bridge ids without zero padding ("8000.aa:3:3:..").
const bridgeId: Conv = (v) => {
  const [prio, mac] = String(v).split('.');
  return `${prio}.${mac
    .split(':')
    .map((x) => x.padStart(2, '0'))
    .join(':')}`;
};
const dottedKey: Conv = (v) =>
  String(v)
    .split('.')
    .reduce((a, b) => a * 256 + Number(b), 0);

const BRIDGE: Row[] = [
  ['forward_delay', 'forwardDelay'],
  ['hello_time', 'helloTime'],
  ['max_age', 'maxAge'],
  ['ageing_time', 'ageingTime'],
  ['stp_state', 'stpState'],
  ['priority', 'priority'],
  ['vlan_filtering', 'vlanFiltering', bool],
  ['vlan_protocol', 'vlanProtocol', vlanProto],
  ['bridge_id', 'bridgeId', bridgeId],
  ['root_id', 'rootId', bridgeId],
  ['root_port', 'rootPort'],
  ['root_path_cost', 'rootPathCost'],
  ['topology_change', 'topologyChange', bool],
  ['topology_change_detected', 'topologyChangeDetected', bool],
  ['hello_timer', 'helloTimer', centis],
  ['tcn_timer', 'tcnTimer', centis],
  ['topology_change_timer', 'topologyChangeTimer', centis],
  ['group_fwd_mask', 'groupFwdMask', num],
  ['group_addr', 'groupAddr'],
  ['mcast_snooping', 'multicastSnooping', bool],
  ['no_linklocal_learn', 'noLinklocalLearn', bool],
  ['mcast_vlan_snooping', 'mcastVlanSnooping', bool],
  ['mcast_router', 'mcastRouter'],
  ['mcast_query_use_ifaddr', 'mcastQueryUseIfaddr', bool],
  ['mcast_querier', 'mcastQuerier', bool],
  ['mcast_hash_elasticity', 'mcastHashElasticity'],
  ['mcast_hash_max', 'mcastHashMax'],
  ['mcast_last_member_cnt', 'mcastLastMemberCnt'],
  ['mcast_startup_query_cnt', 'mcastStartupQueryCnt'],
  ['mcast_last_member_intvl', 'mcastLastMemberIntvl'],
  ['mcast_membership_intvl', 'mcastMembershipIntvl'],
  ['mcast_querier_intvl', 'mcastQuerierIntvl'],
  ['mcast_query_intvl', 'mcastQueryIntvl'],
  ['mcast_query_response_intvl', 'mcastQueryResponseIntvl'],
  ['mcast_startup_query_intvl', 'mcastStartupQueryIntvl'],
  ['mcast_stats_enabled', 'mcastStatsEnabled', bool],
  ['mcast_igmp_version', 'mcastIgmpVersion'],
  ['mcast_mld_version', 'mcastMldVersion'],
  ['nf_call_iptables', 'nfCallIptables', bool],
  ['nf_call_ip6tables', 'nfCallIp6tables', bool],
  ['nf_call_arptables', 'nfCallArptables', bool],
  ['vlan_default_pvid', 'vlanDefaultPvid'],
  ['vlan_stats_enabled', 'vlanStatsEnabled', bool],
  ['vlan_stats_per_port', 'vlanStatsPerPort', bool],
];

const BRIDGE_PORT: Row[] = [
  ['state', 'state', byName({ disabled: 0, listening: 1, learning: 2, forwarding: 3, blocking: 4 })],
  ['priority', 'priority'],
  ['cost', 'cost'],
  ['hairpin', 'hairpin'],
  ['guard', 'guard'],
  ['root_block', 'rootBlock'],
  ['fastleave', 'fastLeave'],
  ['learning', 'learning'],
  ['flood', 'flood'],
  ['id', 'id', num],
  ['no', 'no', num],
  ['designated_port', 'designatedPort'],
  ['designated_cost', 'designatedCost'],
  ['bridge_id', 'bridgeId', bridgeId],
  ['root_id', 'rootId', bridgeId],
  ['hold_timer', 'holdTimer', centis],
  ['message_age_timer', 'messageAgeTimer', centis],
  ['forward_delay_timer', 'forwardDelayTimer', centis],
  ['topology_change_ack', 'topologyChangeAck', bool],
  ['config_pending', 'configPending', bool],
  ['proxy_arp', 'proxyArp'],
  ['proxy_arp_wifi', 'proxyArpWifi'],
  ['multicast_router', 'multicastRouter'],
  ['mcast_flood', 'mcastFlood'],
  ['bcast_flood', 'bcastFlood'],
  ['mcast_to_unicast', 'mcastToUcast'],
  ['neigh_suppress', 'neighSuppress'],
  ['group_fwd_mask', 'groupFwdMask', num],
  ['vlan_tunnel', 'vlanTunnel'],
  ['isolated', 'isolated'],
  ['locked', 'locked'],
  ['backup_port', 'backupPort', ifindexOf],
  ['mcast_eht_hosts_limit', 'mcastEhtHostsLimit'],
  ['mcast_eht_hosts_cnt', 'mcastEhtHostsCnt'],
];

const VXLAN: Row[] = [
  ['id', 'vxlanId'],
  ['group', 'vxlanGroup'],
  ['group6', 'vxlanGroup'],
  ['local', 'srcAddr'],
  ['local6', 'srcAddr'],
  ['link', 'vtepDevIndex', ifindexOf],
  ['port', 'port'],
  ['learning', 'learning'],
  ['proxy', 'proxy'],
  ['rsc', 'rsc'],
  ['l2miss', 'l2miss'],
  ['l3miss', 'l3miss'],
  ['ageing', 'age'],
  ['limit', 'limit'],
  ['udp_csum', 'udpCSum'],
  ['udp_zero_csum6_tx', 'udp6ZeroCSumTx'],
  ['udp_zero_csum6_rx', 'udp6ZeroCSumRx'],
  ['df', 'df', byName({ unset: 0, set: 1, inherit: 2 })],
  ['gbp', 'gbp'],
  ['external', 'flowBased'],
];

const MACVLAN: Row[] = [
  [
    'mode',
    'mode',
    byName({
      private: uapi.MACVLAN_MODE_PRIVATE,
      vepa: uapi.MACVLAN_MODE_VEPA,
      bridge: uapi.MACVLAN_MODE_BRIDGE,
      passthru: uapi.MACVLAN_MODE_PASSTHRU,
      source: uapi.MACVLAN_MODE_SOURCE,
    }),
  ],
  ['bcqueuelen', 'bcQueueLen'],
  ['usedbcqueuelen', 'usedBcQueueLen'],
  ['macaddr_count', 'macAddrs', (v) => v], // checked as a count below
];

const TUN: Row[] = [
  ['type', 'mode', byName({ tun: uapi.IFF_TUN, tap: uapi.IFF_TAP })],
  ['numqueues', 'queues'],
  ['numdisabled', 'disabledQueues'],
  ['persist', 'nonPersist', (v) => !v],
  ['user', 'owner', num],
  ['group', 'tuntapGroup', num],
];

const VLAN: Row[] = [
  ['protocol', 'vlanProtocol', vlanProto],
  ['id', 'vlanId'],
];

const BOND: Row[] = [
  [
    'mode',
    'mode',
    byName({
      'balance-rr': 0,
      'active-backup': 1,
      'balance-xor': 2,
      broadcast: 3,
      '802.3ad': 4,
      'balance-tlb': 5,
      'balance-alb': 6,
    }),
  ],
  ['active_slave', 'activeSlave', ifindexOf],
  ['primary', 'primary', ifindexOf],
  ['miimon', 'miimon'],
  ['updelay', 'upDelay'],
  ['downdelay', 'downDelay'],
  ['peer_notify_delay', 'peerNotifDelay'],
  ['use_carrier', 'useCarrier'],
  ['arp_interval', 'arpInterval'],
  ['arp_missed_max', 'missedMax'],
  ['arp_ip_target', 'arpIpTargets'],
  [
    'arp_validate',
    'arpValidate',
    byName({ none: 0, active: 1, backup: 2, all: 3, filter: 4, filter_active: 5, filter_backup: 6 }),
  ],
  ['arp_all_targets', 'arpAllTargets', byName({ any: 0, all: 1 })],
  ['primary_reselect', 'primaryReselect', byName({ always: 0, better: 1, failure: 2 })],
  ['fail_over_mac', 'failOverMac', byName({ none: 0, active: 1, follow: 2 })],
  [
    'xmit_hash_policy',
    'xmitHashPolicy',
    byName({ layer2: 0, 'layer3+4': 1, 'layer2+3': 2, 'encap2+3': 3, 'encap3+4': 4, vlan_srcmac: 5 }),
  ],
  ['resend_igmp', 'resendIgmp'],
  ['num_peer_notif', 'numPeerNotif'],
  ['all_slaves_active', 'allSlavesActive'],
  ['min_links', 'minLinks'],
  ['lp_interval', 'lpInterval'],
  ['packets_per_slave', 'packetsPerSlave'],
  ['ad_lacp_active', 'adLacpActive', byName({ off: 0, on: 1 })],
  ['ad_lacp_rate', 'lacpRate', byName({ slow: 0, fast: 1 })],
  ['ad_select', 'adSelect', byName({ stable: 0, bandwidth: 1, count: 2 })],
  ['ad_actor_sys_prio', 'adActorSysPrio'],
  ['ad_user_port_key', 'adUserPortKey'],
  ['ad_actor_system', 'adActorSystem', (v) => (v === '00:00:00:00:00:00' ? null : v)],
  ['tlb_dynamic_lb', 'tlbDynamicLb'],
];

const BOND_SLAVE: Row[] = [
  ['state', 'state', byName({ ACTIVE: 0, BACKUP: 1 })],
  ['mii_status', 'miiStatus', byName({ UP: 0, GOING_DOWN: 1, DOWN: 2, GOING_BACK: 3 })],
  ['link_failure_count', 'linkFailureCount'],
  ['perm_hwaddr', 'permHardwareAddr'],
  ['queue_id', 'queueId'],
  ['ad_aggregator_id', 'aggregatorId'],
  ['ad_actor_oper_port_state', 'adActorOperPortState'],
  ['ad_partner_oper_port_state', 'adPartnerOperPortState'],
];

const IPVLAN: Row[] = [['mode', 'mode', byName({ l2: 0, l3: 1, l3s: 2 })]];

const GENEVE: Row[] = [
  ['id', 'id'],
  ['remote', 'remote'],
  ['remote6', 'remote'],
  ['ttl', 'ttl'],
  ['tos', 'tos', num],
  ['df', 'df', byName({ unset: 0, set: 1, inherit: 2 })],
  ['label', 'label', num],
  ['port', 'dport'],
  ['udp_csum', 'udpCsum', num],
  ['udp_zero_csum6_tx', 'udpZeroCsum6Tx', num],
  ['udp_zero_csum6_rx', 'udpZeroCsum6Rx', num],
  ['external', 'flowBased'],
  ['inner_proto_inherit', 'innerProtoInherit'],
];

// ip prints "any" for the unspecified address the kernel sends.
const any4: Conv = (v) => (v === 'any' ? '0.0.0.0' : v);
const any6: Conv = (v) => (v === 'any' ? '::' : v);
const greRows = (any: Conv): Row[] => [
  ['remote', 'remote', any],
  ['local', 'local', any],
  ['link', 'link', ifindexOf],
  ['ttl', 'ttl'],
  ['tos', 'tos', num],
  ['pmtudisc', 'pMtuDisc', num],
  ['ikey', 'iKey', dottedKey],
  ['okey', 'oKey', dottedKey],
  ['encap_limit', 'encapLimit'],
  ['external', 'flowBased'],
  ['ignore_df', 'ignoreDf'],
  ['fwmark', 'fwmark', num],
];
const GRE = greRows(any4);
const GRE6 = greRows(any6);

const IPTUN: Row[] = [
  ['remote', 'remote', any4],
  ['local', 'local', any4],
  ['link', 'link', ifindexOf],
  ['ttl', 'ttl'],
  ['tos', 'tos', num],
  ['pmtudisc', 'pMtuDisc', num],
  ['external', 'flowBased'],
  ['fwmark', 'fwmark', num],
];

const VRF: Row[] = [['table', 'table']];

const KIND_ROWS: Record<string, Row[]> = {
  bridge: BRIDGE,
  vxlan: VXLAN,
  macvlan: MACVLAN,
  macvtap: MACVLAN,
  tun: TUN,
  vlan: VLAN,
  bond: BOND,
  ipvlan: IPVLAN,
  ipvtap: IPVLAN,
  geneve: GENEVE,
  gre: GRE,
  gretap: GRE,
  ip6gre: GRE6,
  ip6gretap: GRE6,
  ipip: IPTUN,
  sit: IPTUN,
  vrf: VRF,
};
const SLAVE_ROWS: Record<string, Row[]> = { bridge: BRIDGE_PORT, bond: BOND_SLAVE, vrf: VRF };

function compareRows(what: string, rows: Row[], data: Record<string, unknown>, obj: Record<string, unknown>, ctx: Ctx): number {
  let n = 0;
  for (const [key, field, conv = same] of rows) {
    if (!(key in data)) continue;
    const raw = data[key];
    if (raw === null) continue; // a value iproute2 has no name for
    // ip prints "ttl": "inherit"/"auto" and "tos": "inherit" where the kernel sent 0/1.
    if ((key === 'ttl' || key === 'tos') && typeof raw === 'string' && !/^(0x)?[0-9a-f]+$/.test(raw)) continue;
    assert.ok(field in obj, `${what}: field ${field} missing`);
    if (key === 'macaddr_count') {
      assert.equal((obj[field] as unknown[] | null)?.length ?? 0, raw, `${what}.${field} (count)`);
    } else if (key === 'user' || key === 'group') {
      // a uid/gid ip could not name is printed as the number
      if (/^\d+$/.test(String(raw))) assert.equal(obj[field], Number(raw), `${what}.${field}`);
    } else if (conv === centis) {
      // a running timer moves between nlwrap's dump and ip's: within 1 s
      const ours = obj[field] as number;
      assert.ok(
        typeof ours === 'number' && Math.abs(ours - (conv(raw, ctx) as number)) <= 100,
        `${what}.${field}: ${ours} vs ip ${String(raw)} s`,
      );
    } else {
      assert.deepEqual(obj[field], conv(raw, ctx), `${what}.${field} (ip ${key}=${JSON.stringify(raw)})`);
    }
    n++;
  }
  return n;
}

/** Asserts that `l` agrees with ip's view `o` field by field; returns the number of kind/slave fields compared. */
export function assertLinkMatchesIp(l: Link, o: IpLink, all: Link[]): number {
  const name = l.name;
  const ctx: Ctx = { nameToIndex: new Map(all.map((x) => [x.name, x.index])) };
  assert.equal(l.index, o.ifindex, `${name} index`);
  assert.equal(l.name, o.ifname, `${name} name`);
  assert.equal(l.type, o.linkinfo?.info_kind ?? 'device', `${name} type`);
  assert.equal(l.mtu, o.mtu, `${name} mtu`);
  assert.equal(l.hardwareAddr, linkAddr(o.address), `${name} mac`);
  assert.equal(l.broadcast, linkAddr(o.broadcast), `${name} broadcast`);
  assert.equal(l.txQLen, o.txqlen ?? 0, `${name} txqlen`);
  assert.equal(l.qdisc, o.qdisc ?? null, `${name} qdisc`);
  assert.equal(OPER[l.operState ?? 0], o.operstate, `${name} operstate`);
  assert.equal(l.linkMode === 1 ? 'DORMANT' : 'DEFAULT', o.linkmode ?? 'DEFAULT', `${name} linkmode`);
  assert.deepEqual(ipFlagNames(l.flags), o.flags.filter((f) => f !== 'M-DOWN').sort(), `${name} flags`);
  assert.equal(l.alias, o.ifalias ?? null, `${name} alias`);
  assert.deepEqual(l.altNames ?? [], o.altnames ?? [], `${name} altnames`);
  assert.equal(l.promisc, o.promiscuity ?? null, `${name} promiscuity`);
  assert.equal(l.allmultiCount, o.allmulti ?? null, `${name} allmulti (count)`);
  assert.equal(l.allmulti, o.flags.includes('ALLMULTI') ? 1 : 0, `${name} allmulti (IFF_ALLMULTI)`);
  assert.equal(l.group === 0 ? 'default' : String(l.group), o.group ?? 'default', `${name} group`);
  for (const [k, f] of [
    ['min_mtu', 'minMtu'],
    ['max_mtu', 'maxMtu'],
    ['num_tx_queues', 'numTxQueues'],
    ['num_rx_queues', 'numRxQueues'],
    ['gso_max_size', 'gsoMaxSize'],
    ['gso_max_segs', 'gsoMaxSegs'],
    ['tso_max_size', 'tsoMaxSize'],
    ['tso_max_segs', 'tsoMaxSegs'],
    ['gro_max_size', 'groMaxSize'],
    ['gso_ipv4_max_size', 'gsoIpv4MaxSize'],
    ['gro_ipv4_max_size', 'groIpv4MaxSize'],
  ] as const)
    if (o[k] !== undefined) assert.equal(l[f], o[k], `${name} ${k}`);
  if (o.master) assert.equal(all.find((x) => x.index === l.masterIndex)?.name, o.master, `${name} master`);
  else assert.equal(l.masterIndex, null, `${name} master`);
  // ip prints link_index (and link_netnsid) when the parent/peer is in
  // another namespace, else the parent's name in "link".
  if (o.link_index !== undefined) assert.equal(l.parentIndex, o.link_index, `${name} link_index`);
  else if (typeof o.link === 'string') assert.equal(all.find((x) => x.index === l.parentIndex)?.name, o.link, `${name} link`);
  assert.equal(l.netNsId, o.link_netnsid ?? null, `${name} link_netnsid`);

  let n = 0;
  const li = o.linkinfo;
  const rec = l as unknown as Record<string, unknown>;
  const rows = KIND_ROWS[l.type];
  if (rows && li?.info_data) n += compareRows(`${name} info_data`, rows, li.info_data, rec, ctx);
  if (l.type === 'tun' && li?.info_data) {
    const d = li.info_data;
    const flags = rec.tuntapFlags as number;
    if ('pi' in d) assert.equal((flags & uapi.IFF_NO_PI) === 0, d.pi, `${name} pi`);
    if ('vnet_hdr' in d) assert.equal((flags & uapi.IFF_VNET_HDR) !== 0, d.vnet_hdr, `${name} vnet_hdr`);
    if ('multi_queue' in d) assert.equal((flags & uapi.IFF_MULTI_QUEUE) !== 0, d.multi_queue, `${name} multi_queue`);
    n += 3;
  }
  assert.equal(l.slaveType, li?.info_slave_kind ?? null, `${name} slave kind`);
  const srows = l.slaveType ? SLAVE_ROWS[l.slaveType] : undefined;
  if (srows) {
    assert.ok(l.slave, `${name} slave data`);
    if (li?.info_slave_data)
      n += compareRows(`${name} info_slave_data`, srows, li.info_slave_data, l.slave as unknown as Record<string, unknown>, ctx);
  } else {
    assert.equal(l.slave, null, `${name} slave`);
  }
  return n;
}

/** Links of one kind have the same keys (all fields, null where absent). */
/**
 * Every link matches its `ip -j -d link show` entry and the two lists have
 * the same links; returns how many kind/port fields were compared.
 */
export function assertLinksMatchIp(links: Link[], oracle: IpLink[]): number {
  assert.equal(links.length, oracle.length);
  const byName = new Map(oracle.map((o) => [o.ifname, o]));
  let kindFields = 0;
  for (const l of links) {
    const o = byName.get(l.name);
    assert.ok(o, `ip knows ${l.name}`);
    kindFields += assertLinkMatchesIp(l, o, links);
  }
  return kindFields;
}

export function assertSameShapePerKind(links: Link[]): void {
  const shapes = new Map<string, string>();
  for (const l of links) {
    const keys = Object.keys(l)
      .filter((k) => k !== 'slave')
      .sort()
      .join(',');
    const prev = shapes.get(l.type);
    if (prev === undefined) shapes.set(l.type, keys);
    else assert.equal(keys, prev, `every ${l.type} link has the same fields`);
  }
}
