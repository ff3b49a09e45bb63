// Kind-specific link data, one decoder per kind (see link_kinds.h).
//
// Field names are vishvananda/netlink's for that kind, in lowerCamelCase; a
// name that collides with a LinkAttrs field takes the kind as prefix
// (vxlan's Group -> vxlanGroup), as DESIGN.md pins.
#include "link_kinds.h"

#include <arpa/inet.h>
#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/if_vlan.h>
#include <sys/socket.h>

#include <cstdio>

#include "inet.h"
#include "registry.h"

namespace nlw {

std::vector<const LinkKind*>& link_kind_registry() {
  static std::vector<const LinkKind*> all;
  return all;
}
std::vector<const LinkKind*>& link_slave_kind_registry() {
  static std::vector<const LinkKind*> all;
  return all;
}

const LinkKind* find_link_kind(std::string_view kind) {
  for (const LinkKind* k : link_kind_registry())
    if (kind == k->kind) return k;
  return nullptr;
}
const LinkKind* find_link_slave_kind(std::string_view kind) {
  for (const LinkKind* k : link_slave_kind_registry())
    if (kind == k->kind) return k;
  return nullptr;
}

void set_mac(Rec& r, uint16_t f, const Attr& a) {
  std::string mac = mac_string(a.data(), a.len());
  if (!mac.empty()) r.str(f, mac);
}

namespace {
// "8000.aa:bb:cc:dd:ee:ff" (priority, then address), as iproute2 prints it.
std::string bridge_id_string(const Attr& a) {
  ifla_bridge_id id;
  if (!a.get(&id)) return std::string();
  char prio[8];
  std::snprintf(prio, sizeof prio, "%02x%02x.", id.prio[0], id.prio[1]);
  std::string mac = mac_string(id.addr, sizeof id.addr);
  return std::string(prio) + (mac.empty() ? "00:00:00:00:00:00" : mac);
}

// ---- vxlan (IFLA_VXLAN_*) ----
// clang-format off
#define VXLAN_FIELDS(F)                                                      \
  F(vxlanId, Num, "") F(vtepDevIndex, Num, "") F(srcAddr, Str, "")          \
  F(vxlanGroup, Str, "") F(ttl, Num, "") F(tos, Num, "") F(learning, Bool, "") \
  F(proxy, Bool, "") F(rsc, Bool, "") F(l2miss, Bool, "") F(l3miss, Bool, "") \
  F(udpCSum, Bool, "") F(udp6ZeroCSumTx, Bool, "") F(udp6ZeroCSumRx, Bool, "") \
  F(noAge, Bool, "") F(gbp, Bool, "") F(flowBased, Bool, "") F(age, Num, "") \
  F(limit, Num, "") F(port, Num, "") F(portLow, Num, "") F(portHigh, Num, "") \
  F(label, Num, "") F(df, Num, "")
NLW_SCHEMA(vxlan, VXLAN_FIELDS)
// clang-format on

void parse_vxlan(const Attr& data, Rec& r) {
  namespace f = vxlan_f;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_VXLAN_ID: r.num(f::vxlanId, a.u32()); break;
      case IFLA_VXLAN_LINK: r.num(f::vtepDevIndex, a.u32()); break;
      case IFLA_VXLAN_LOCAL: r.str(f::srcAddr, ip_string(AF_INET, a.data(), a.len())); break;
      case IFLA_VXLAN_LOCAL6: r.str(f::srcAddr, ip_string(AF_INET6, a.data(), a.len())); break;
      case IFLA_VXLAN_GROUP: r.str(f::vxlanGroup, ip_string(AF_INET, a.data(), a.len())); break;
      case IFLA_VXLAN_GROUP6: r.str(f::vxlanGroup, ip_string(AF_INET6, a.data(), a.len())); break;
      case IFLA_VXLAN_TTL: r.num(f::ttl, a.u8()); break;
      case IFLA_VXLAN_TOS: r.num(f::tos, a.u8()); break;
      case IFLA_VXLAN_LEARNING: r.boolean(f::learning, a.u8() != 0); break;
      case IFLA_VXLAN_PROXY: r.boolean(f::proxy, a.u8() != 0); break;
      case IFLA_VXLAN_RSC: r.boolean(f::rsc, a.u8() != 0); break;
      case IFLA_VXLAN_L2MISS: r.boolean(f::l2miss, a.u8() != 0); break;
      case IFLA_VXLAN_L3MISS: r.boolean(f::l3miss, a.u8() != 0); break;
      case IFLA_VXLAN_UDP_CSUM: r.boolean(f::udpCSum, a.u8() != 0); break;
      case IFLA_VXLAN_UDP_ZERO_CSUM6_TX: r.boolean(f::udp6ZeroCSumTx, a.u8() != 0); break;
      case IFLA_VXLAN_UDP_ZERO_CSUM6_RX: r.boolean(f::udp6ZeroCSumRx, a.u8() != 0); break;
      case IFLA_VXLAN_GBP: r.boolean(f::gbp, true); break;
      case IFLA_VXLAN_COLLECT_METADATA: r.boolean(f::flowBased, a.u8() != 0); break;
      case IFLA_VXLAN_AGEING: {
        uint32_t age = a.u32();
        r.num(f::age, age);
        r.boolean(f::noAge, age == 0);
        break;
      }
      case IFLA_VXLAN_LIMIT: r.num(f::limit, a.u32()); break;
      case IFLA_VXLAN_PORT: r.num(f::port, a.be16()); break;
      case IFLA_VXLAN_PORT_RANGE: {
        ifla_vxlan_port_range pr;
        if (!a.get(&pr)) break;
        r.num(f::portLow, ntohs(pr.low));
        r.num(f::portHigh, ntohs(pr.high));
        break;
      }
      case IFLA_VXLAN_LABEL: r.num(f::label, ntohl(a.u32())); break;
      case IFLA_VXLAN_DF: r.num(f::df, a.u8()); break;
    }
  }
}
const LinkKind kVxlan{"vxlan", vxlan_schema, parse_vxlan};
RegisterKind reg_vxlan(kVxlan);

// ---- bridge (IFLA_BR_*) ----
// vishvananda's Bridge fields (multicastSnooping, ageingTime, helloTime,
// vlanFiltering, vlanDefaultPvid, groupFwdMask), then the rest of IFLA_BR_*
// under their uapi names. Times and timers are the kernel's clock_t
// (hundredths of a second), as sent.
// clang-format off
#define BRIDGE_FIELDS(F)                                                      \
  F(multicastSnooping, Bool, "") F(ageingTime, Num, "") F(helloTime, Num, "") \
  F(vlanFiltering, Bool, "") F(vlanDefaultPvid, Num, "")                     \
  F(groupFwdMask, Num, "") F(forwardDelay, Num, "") F(maxAge, Num, "")       \
  F(stpState, Num, "") F(priority, Num, "") F(vlanProtocol, Num, "")         \
  F(rootId, Str, "") F(bridgeId, Str, "") F(rootPort, Num, "")               \
  F(rootPathCost, Num, "") F(topologyChange, Bool, "")                       \
  F(topologyChangeDetected, Bool, "") F(helloTimer, Num, "")                 \
  F(tcnTimer, Num, "") F(topologyChangeTimer, Num, "") F(gcTimer, Num, "")   \
  F(groupAddr, Str, "") F(mcastRouter, Num, "")                              \
  F(mcastQueryUseIfaddr, Bool, "") F(mcastQuerier, Bool, "")                 \
  F(mcastHashElasticity, Num, "") F(mcastHashMax, Num, "")                   \
  F(mcastLastMemberCnt, Num, "") F(mcastStartupQueryCnt, Num, "")            \
  F(mcastLastMemberIntvl, Num, "") F(mcastMembershipIntvl, Num, "")          \
  F(mcastQuerierIntvl, Num, "") F(mcastQueryIntvl, Num, "")                  \
  F(mcastQueryResponseIntvl, Num, "") F(mcastStartupQueryIntvl, Num, "")     \
  F(nfCallIptables, Bool, "") F(nfCallIp6tables, Bool, "")                   \
  F(nfCallArptables, Bool, "") F(vlanStatsEnabled, Bool, "")                 \
  F(vlanStatsPerPort, Bool, "") F(mcastStatsEnabled, Bool, "")               \
  F(mcastIgmpVersion, Num, "") F(mcastMldVersion, Num, "")                   \
  F(noLinklocalLearn, Bool, "") F(mcastVlanSnooping, Bool, "")
NLW_SCHEMA(bridge, BRIDGE_FIELDS)
// clang-format on

void parse_bridge(const Attr& data, Rec& r) {
  namespace f = bridge_f;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_BR_MCAST_SNOOPING: r.boolean(f::multicastSnooping, a.u8() != 0); break;
      case IFLA_BR_AGEING_TIME: r.num(f::ageingTime, a.u32()); break;
      case IFLA_BR_HELLO_TIME: r.num(f::helloTime, a.u32()); break;
      case IFLA_BR_VLAN_FILTERING: r.boolean(f::vlanFiltering, a.u8() != 0); break;
      case IFLA_BR_VLAN_DEFAULT_PVID: r.num(f::vlanDefaultPvid, a.u16()); break;
      case IFLA_BR_GROUP_FWD_MASK: r.num(f::groupFwdMask, a.u16()); break;
      case IFLA_BR_FORWARD_DELAY: r.num(f::forwardDelay, a.u32()); break;
      case IFLA_BR_MAX_AGE: r.num(f::maxAge, a.u32()); break;
      case IFLA_BR_STP_STATE: r.num(f::stpState, a.u32()); break;
      case IFLA_BR_PRIORITY: r.num(f::priority, a.u16()); break;
      case IFLA_BR_VLAN_PROTOCOL: r.num(f::vlanProtocol, a.be16()); break;
      case IFLA_BR_ROOT_ID: r.str(f::rootId, bridge_id_string(a)); break;
      case IFLA_BR_BRIDGE_ID: r.str(f::bridgeId, bridge_id_string(a)); break;
      case IFLA_BR_ROOT_PORT: r.num(f::rootPort, a.u16()); break;
      case IFLA_BR_ROOT_PATH_COST: r.num(f::rootPathCost, a.u32()); break;
      case IFLA_BR_TOPOLOGY_CHANGE: r.boolean(f::topologyChange, a.u8() != 0); break;
      case IFLA_BR_TOPOLOGY_CHANGE_DETECTED:
        r.boolean(f::topologyChangeDetected, a.u8() != 0);
        break;
      case IFLA_BR_HELLO_TIMER: r.num(f::helloTimer, a.u64()); break;
      case IFLA_BR_TCN_TIMER: r.num(f::tcnTimer, a.u64()); break;
      case IFLA_BR_TOPOLOGY_CHANGE_TIMER: r.num(f::topologyChangeTimer, a.u64()); break;
      case IFLA_BR_GC_TIMER: r.num(f::gcTimer, a.u64()); break;
      case IFLA_BR_GROUP_ADDR: set_mac(r, f::groupAddr, a); break;
      case IFLA_BR_MCAST_ROUTER: r.num(f::mcastRouter, a.u8()); break;
      case IFLA_BR_MCAST_QUERY_USE_IFADDR: r.boolean(f::mcastQueryUseIfaddr, a.u8() != 0); break;
      case IFLA_BR_MCAST_QUERIER: r.boolean(f::mcastQuerier, a.u8() != 0); break;
      case IFLA_BR_MCAST_HASH_ELASTICITY: r.num(f::mcastHashElasticity, a.u32()); break;
      case IFLA_BR_MCAST_HASH_MAX: r.num(f::mcastHashMax, a.u32()); break;
      case IFLA_BR_MCAST_LAST_MEMBER_CNT: r.num(f::mcastLastMemberCnt, a.u32()); break;
      case IFLA_BR_MCAST_STARTUP_QUERY_CNT: r.num(f::mcastStartupQueryCnt, a.u32()); break;
      case IFLA_BR_MCAST_LAST_MEMBER_INTVL: r.num(f::mcastLastMemberIntvl, a.u64()); break;
      case IFLA_BR_MCAST_MEMBERSHIP_INTVL: r.num(f::mcastMembershipIntvl, a.u64()); break;
      case IFLA_BR_MCAST_QUERIER_INTVL: r.num(f::mcastQuerierIntvl, a.u64()); break;
      case IFLA_BR_MCAST_QUERY_INTVL: r.num(f::mcastQueryIntvl, a.u64()); break;
      case IFLA_BR_MCAST_QUERY_RESPONSE_INTVL: r.num(f::mcastQueryResponseIntvl, a.u64()); break;
      case IFLA_BR_MCAST_STARTUP_QUERY_INTVL: r.num(f::mcastStartupQueryIntvl, a.u64()); break;
      case IFLA_BR_NF_CALL_IPTABLES: r.boolean(f::nfCallIptables, a.u8() != 0); break;
      case IFLA_BR_NF_CALL_IP6TABLES: r.boolean(f::nfCallIp6tables, a.u8() != 0); break;
      case IFLA_BR_NF_CALL_ARPTABLES: r.boolean(f::nfCallArptables, a.u8() != 0); break;
      case IFLA_BR_VLAN_STATS_ENABLED: r.boolean(f::vlanStatsEnabled, a.u8() != 0); break;
      case IFLA_BR_VLAN_STATS_PER_PORT: r.boolean(f::vlanStatsPerPort, a.u8() != 0); break;
      case IFLA_BR_MCAST_STATS_ENABLED: r.boolean(f::mcastStatsEnabled, a.u8() != 0); break;
      case IFLA_BR_MCAST_IGMP_VERSION: r.num(f::mcastIgmpVersion, a.u8()); break;
      case IFLA_BR_MCAST_MLD_VERSION: r.num(f::mcastMldVersion, a.u8()); break;
      case IFLA_BR_MULTI_BOOLOPT: {
        br_boolopt_multi bm;
        if (!a.get(&bm)) break;
        r.boolean(f::noLinklocalLearn, (bm.optval >> BR_BOOLOPT_NO_LL_LEARN) & 1);
        r.boolean(f::mcastVlanSnooping, (bm.optval >> BR_BOOLOPT_MCAST_VLAN_SNOOPING) & 1);
        break;
      }
    }
  }
}
const LinkKind kBridge{"bridge", bridge_schema, parse_bridge};
RegisterKind reg_bridge(kBridge);

// ---- bridge port: IFLA_INFO_SLAVE_DATA of a bridge's port (IFLA_BRPORT_*) ----
// vishvananda has no bridge slave type; the names are its Protinfo's where
// it has them (hairpin, guard, fastLeave, rootBlock, learning, flood,
// proxyArp, proxyArpWifi, isolated, neighSuppress), else the uapi names.
// clang-format off
#define BRIDGE_PORT_FIELDS(F)                                                 \
  F(state, Num, "") F(priority, Num, "") F(cost, Num, "") F(hairpin, Bool, "") \
  F(guard, Bool, "") F(rootBlock, Bool, "") F(fastLeave, Bool, "")           \
  F(learning, Bool, "") F(flood, Bool, "") F(proxyArp, Bool, "")             \
  F(proxyArpWifi, Bool, "") F(rootId, Str, "") F(bridgeId, Str, "")          \
  F(designatedPort, Num, "") F(designatedCost, Num, "") F(id, Num, "")       \
  F(no, Num, "") F(topologyChangeAck, Bool, "") F(configPending, Bool, "")   \
  F(messageAgeTimer, Num, "") F(forwardDelayTimer, Num, "")                  \
  F(holdTimer, Num, "") F(multicastRouter, Num, "") F(mcastFlood, Bool, "")  \
  F(mcastToUcast, Bool, "") F(vlanTunnel, Bool, "") F(bcastFlood, Bool, "")  \
  F(groupFwdMask, Num, "") F(neighSuppress, Bool, "") F(isolated, Bool, "")  \
  F(backupPort, Num, "") F(mrpRingOpen, Bool, "") F(mrpInOpen, Bool, "")     \
  F(mcastEhtHostsLimit, Num, "") F(mcastEhtHostsCnt, Num, "")                \
  F(locked, Bool, "")
NLW_SCHEMA(bridge_port, BRIDGE_PORT_FIELDS)
// clang-format on

void parse_bridge_port(const Attr& data, Rec& r) {
  namespace f = bridge_port_f;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_BRPORT_STATE: r.num(f::state, a.u8()); break;
      case IFLA_BRPORT_PRIORITY: r.num(f::priority, a.u16()); break;
      case IFLA_BRPORT_COST: r.num(f::cost, a.u32()); break;
      case IFLA_BRPORT_MODE: r.boolean(f::hairpin, a.u8() != 0); break;
      case IFLA_BRPORT_GUARD: r.boolean(f::guard, a.u8() != 0); break;
      case IFLA_BRPORT_PROTECT: r.boolean(f::rootBlock, a.u8() != 0); break;
      case IFLA_BRPORT_FAST_LEAVE: r.boolean(f::fastLeave, a.u8() != 0); break;
      case IFLA_BRPORT_LEARNING: r.boolean(f::learning, a.u8() != 0); break;
      case IFLA_BRPORT_UNICAST_FLOOD: r.boolean(f::flood, a.u8() != 0); break;
      case IFLA_BRPORT_PROXYARP: r.boolean(f::proxyArp, a.u8() != 0); break;
      case IFLA_BRPORT_PROXYARP_WIFI: r.boolean(f::proxyArpWifi, a.u8() != 0); break;
      case IFLA_BRPORT_ROOT_ID: r.str(f::rootId, bridge_id_string(a)); break;
      case IFLA_BRPORT_BRIDGE_ID: r.str(f::bridgeId, bridge_id_string(a)); break;
      case IFLA_BRPORT_DESIGNATED_PORT: r.num(f::designatedPort, a.u16()); break;
      case IFLA_BRPORT_DESIGNATED_COST: r.num(f::designatedCost, a.u16()); break;
      case IFLA_BRPORT_ID: r.num(f::id, a.u16()); break;
      case IFLA_BRPORT_NO: r.num(f::no, a.u16()); break;
      case IFLA_BRPORT_TOPOLOGY_CHANGE_ACK: r.boolean(f::topologyChangeAck, a.u8() != 0); break;
      case IFLA_BRPORT_CONFIG_PENDING: r.boolean(f::configPending, a.u8() != 0); break;
      case IFLA_BRPORT_MESSAGE_AGE_TIMER: r.num(f::messageAgeTimer, a.u64()); break;
      case IFLA_BRPORT_FORWARD_DELAY_TIMER: r.num(f::forwardDelayTimer, a.u64()); break;
      case IFLA_BRPORT_HOLD_TIMER: r.num(f::holdTimer, a.u64()); break;
      case IFLA_BRPORT_MULTICAST_ROUTER: r.num(f::multicastRouter, a.u8()); break;
      case IFLA_BRPORT_MCAST_FLOOD: r.boolean(f::mcastFlood, a.u8() != 0); break;
      case IFLA_BRPORT_MCAST_TO_UCAST: r.boolean(f::mcastToUcast, a.u8() != 0); break;
      case IFLA_BRPORT_VLAN_TUNNEL: r.boolean(f::vlanTunnel, a.u8() != 0); break;
      case IFLA_BRPORT_BCAST_FLOOD: r.boolean(f::bcastFlood, a.u8() != 0); break;
      case IFLA_BRPORT_GROUP_FWD_MASK: r.num(f::groupFwdMask, a.u16()); break;
      case IFLA_BRPORT_NEIGH_SUPPRESS: r.boolean(f::neighSuppress, a.u8() != 0); break;
      case IFLA_BRPORT_ISOLATED: r.boolean(f::isolated, a.u8() != 0); break;
      case IFLA_BRPORT_BACKUP_PORT: r.num(f::backupPort, a.u32()); break;
      case IFLA_BRPORT_MRP_RING_OPEN: r.boolean(f::mrpRingOpen, a.u8() != 0); break;
      case IFLA_BRPORT_MRP_IN_OPEN: r.boolean(f::mrpInOpen, a.u8() != 0); break;
      case IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT: r.num(f::mcastEhtHostsLimit, a.u32()); break;
      case IFLA_BRPORT_MCAST_EHT_HOSTS_CNT: r.num(f::mcastEhtHostsCnt, a.u32()); break;
      case IFLA_BRPORT_LOCKED: r.boolean(f::locked, a.u8() != 0); break;
    }
  }
}
const LinkKind kBridgePort{"bridge", bridge_port_schema, parse_bridge_port};
RegisterSlaveKind reg_bridge_port(kBridgePort);

// ---- vlan (IFLA_VLAN_*) ----
// clang-format off
#define VLAN_QOS_FIELDS(F) F(from, Num, "") F(to, Num, "")
NLW_SCHEMA(vlan_qos_mapping, VLAN_QOS_FIELDS)
// clang-format on

// clang-format off
#define VLAN_FIELDS(F)                                                       \
  F(vlanId, Num, "") F(vlanProtocol, Num, "")                               \
  F(ingressQosMap, List, "vlan_qos_mapping")                                \
  F(egressQosMap, List, "vlan_qos_mapping") F(reorderHdr, Bool, "")         \
  F(gvrp, Bool, "") F(looseBinding, Bool, "") F(mvrp, Bool, "")             \
  F(bridgeBinding, Bool, "")
NLW_SCHEMA(vlan, VLAN_FIELDS)
// clang-format on

// Mappings are appended right after the link's other records; the List
// field points at them (see record.h).
void parse_vlan_qos(const Attr& a, Rec& r, uint16_t field, RecordSet& out) {
  size_t first = out.count(vlan_qos_mapping_schema());
  for (const Attr& m : Attrs(a)) {
    ifla_vlan_qos_mapping q;
    if (m.type() != IFLA_VLAN_QOS_MAPPING || !m.get(&q)) continue;
    Rec e = out.add(vlan_qos_mapping_schema());
    e.num(vlan_qos_mapping_f::from, q.from);
    e.num(vlan_qos_mapping_f::to, q.to);
  }
  r.list(field, first, out.count(vlan_qos_mapping_schema()) - first);
}

void parse_vlan(const Attr& data, Rec& r) {
  namespace f = vlan_f;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_VLAN_ID: r.num(f::vlanId, a.u16()); break;
      case IFLA_VLAN_PROTOCOL: r.num(f::vlanProtocol, a.be16()); break;
      case IFLA_VLAN_FLAGS: {
        ifla_vlan_flags fl;
        if (!a.get(&fl)) break;
        r.boolean(f::reorderHdr, fl.flags & VLAN_FLAG_REORDER_HDR);
        r.boolean(f::gvrp, fl.flags & VLAN_FLAG_GVRP);
        r.boolean(f::looseBinding, fl.flags & VLAN_FLAG_LOOSE_BINDING);
        r.boolean(f::mvrp, fl.flags & VLAN_FLAG_MVRP);
        r.boolean(f::bridgeBinding, fl.flags & VLAN_FLAG_BRIDGE_BINDING);
        break;
      }
      case IFLA_VLAN_INGRESS_QOS: parse_vlan_qos(a, r, f::ingressQosMap, r.set()); break;
      case IFLA_VLAN_EGRESS_QOS: parse_vlan_qos(a, r, f::egressQosMap, r.set()); break;
    }
  }
}
const LinkKind kVlan{"vlan", vlan_schema, parse_vlan};
RegisterKind reg_vlan(kVlan);

// ---- macvlan / macvtap (IFLA_MACVLAN_*) ----
// mode is the kernel's MACVLAN_MODE_* bit (vishvananda remaps it to an enum
// of its own; DESIGN.md pins the kernel's number).
// clang-format off
#define MACVLAN_FIELDS(F)                                                    \
  F(mode, Num, "") F(macAddrs, Strs, "") F(bcQueueLen, Num, "")             \
  F(usedBcQueueLen, Num, "") F(macvlanFlags, Num, "")
NLW_SCHEMA(macvlan, MACVLAN_FIELDS)
// clang-format on

void parse_macvlan(const Attr& data, Rec& r) {
  namespace f = macvlan_f;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_MACVLAN_MODE: r.num(f::mode, a.u32()); break;
      case IFLA_MACVLAN_FLAGS: r.num(f::macvlanFlags, a.u16()); break;
      case IFLA_MACVLAN_BC_QUEUE_LEN: r.num(f::bcQueueLen, a.u32()); break;
      case IFLA_MACVLAN_BC_QUEUE_LEN_USED: r.num(f::usedBcQueueLen, a.u32()); break;
      case IFLA_MACVLAN_MACADDR_DATA: {
        std::vector<std::string> macs;
        for (const Attr& m : Attrs(a))
          if (m.type() == IFLA_MACVLAN_MACADDR) macs.push_back(mac_string(m.data(), m.len()));
        std::vector<std::string_view> views(macs.begin(), macs.end());
        r.strs(f::macAddrs, views);
        break;
      }
    }
  }
}
const LinkKind kMacvlan{"macvlan", macvlan_schema, parse_macvlan};
RegisterKind reg_macvlan(kMacvlan);
const LinkKind kMacvtap{"macvtap", macvlan_schema, parse_macvlan};
RegisterKind reg_macvtap(kMacvtap);

// ---- ipvlan / ipvtap (IFLA_IPVLAN_*) ----
// clang-format off
#define IPVLAN_FIELDS(F) F(mode, Num, "") F(flag, Num, "")
NLW_SCHEMA(ipvlan, IPVLAN_FIELDS)
// clang-format on

void parse_ipvlan(const Attr& data, Rec& r) {
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_IPVLAN_MODE: r.num(ipvlan_f::mode, a.u16()); break;
      case IFLA_IPVLAN_FLAGS: r.num(ipvlan_f::flag, a.u16()); break;
    }
  }
}
const LinkKind kIpvlan{"ipvlan", ipvlan_schema, parse_ipvlan};
RegisterKind reg_ipvlan(kIpvlan);
const LinkKind kIpvtap{"ipvtap", ipvlan_schema, parse_ipvlan};
RegisterKind reg_ipvtap(kIpvtap);

// ---- tun / tap (IFLA_TUN_*) ----
// vishvananda's Tuntap: mode is IFF_TUN / IFF_TAP; tuntapFlags gathers
// IFF_NO_PI, IFF_VNET_HDR and IFF_MULTI_QUEUE from IFLA_TUN_PI, _VNET_HDR and
// _MULTI_QUEUE. The kernel omits owner and group when none is set.
// clang-format off
#define TUNTAP_FIELDS(F)                                                     \
  F(mode, Num, "") F(tuntapFlags, Num, "") F(nonPersist, Bool, "")          \
  F(queues, Num, "") F(disabledQueues, Num, "") F(owner, Num, "")           \
  F(tuntapGroup, Num, "")
NLW_SCHEMA(tuntap, TUNTAP_FIELDS)
// clang-format on

void parse_tuntap(const Attr& data, Rec& r) {
  namespace f = tuntap_f;
  bool any_flag = false;
  uint32_t flags = 0;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_TUN_TYPE: r.num(f::mode, a.u8()); break;
      case IFLA_TUN_OWNER: r.num(f::owner, a.u32()); break;
      case IFLA_TUN_GROUP: r.num(f::tuntapGroup, a.u32()); break;
      case IFLA_TUN_PERSIST: r.boolean(f::nonPersist, a.u8() == 0); break;
      case IFLA_TUN_NUM_QUEUES: r.num(f::queues, a.u32()); break;
      case IFLA_TUN_NUM_DISABLED_QUEUES: r.num(f::disabledQueues, a.u32()); break;
      case IFLA_TUN_PI:
        any_flag = true;
        if (a.u8() == 0) flags |= IFF_NO_PI;
        break;
      case IFLA_TUN_VNET_HDR:
        any_flag = true;
        if (a.u8() != 0) flags |= IFF_VNET_HDR;
        break;
      case IFLA_TUN_MULTI_QUEUE:
        any_flag = true;
        if (a.u8() != 0) flags |= IFF_MULTI_QUEUE;
        break;
    }
  }
  if (any_flag) r.num(f::tuntapFlags, flags);
}
const LinkKind kTun{"tun", tuntap_schema, parse_tuntap};
RegisterKind reg_tun(kTun);

// ---- vrf (IFLA_VRF_*) and its ports (IFLA_VRF_PORT_*) ----
// clang-format off
#define VRF_FIELDS(F) F(table, Num, "")
NLW_SCHEMA(vrf, VRF_FIELDS)
// clang-format on
NLW_SCHEMA(vrf_slave, VRF_FIELDS)

void parse_vrf(const Attr& data, Rec& r) {
  for (const Attr& a : Attrs(data))
    if (a.type() == IFLA_VRF_TABLE) r.num(vrf_f::table, a.u32());
}
void parse_vrf_slave(const Attr& data, Rec& r) {
  for (const Attr& a : Attrs(data))
    if (a.type() == IFLA_VRF_PORT_TABLE) r.num(vrf_slave_f::table, a.u32());
}
const LinkKind kVrf{"vrf", vrf_schema, parse_vrf};
RegisterKind reg_vrf(kVrf);
const LinkKind kVrfSlave{"vrf", vrf_slave_schema, parse_vrf_slave};
RegisterSlaveKind reg_vrf_slave(kVrfSlave);

Register reg_constants({
    NLW_CONST(MACVLAN_MODE_PRIVATE),
    NLW_CONST(MACVLAN_MODE_VEPA),
    NLW_CONST(MACVLAN_MODE_BRIDGE),
    NLW_CONST(MACVLAN_MODE_PASSTHRU),
    NLW_CONST(MACVLAN_MODE_SOURCE),
    NLW_CONST(MACVLAN_FLAG_NOPROMISC),
    NLW_CONST(MACVLAN_FLAG_NODST),
    NLW_CONST(IPVLAN_MODE_L2),
    NLW_CONST(IPVLAN_MODE_L3),
    NLW_CONST(IPVLAN_MODE_L3S),
    NLW_CONST(IPVLAN_F_PRIVATE),
    NLW_CONST(IPVLAN_F_VEPA),
    NLW_CONST(IFF_TUN),
    NLW_CONST(IFF_TAP),
    NLW_CONST(IFF_NO_PI),
    NLW_CONST(IFF_VNET_HDR),
    NLW_CONST(IFF_MULTI_QUEUE),
    NLW_CONST(BR_STATE_DISABLED),
    NLW_CONST(BR_STATE_LISTENING),
    NLW_CONST(BR_STATE_LEARNING),
    NLW_CONST(BR_STATE_FORWARDING),
    NLW_CONST(BR_STATE_BLOCKING),
    NLW_CONST(ETH_P_8021Q),
    NLW_CONST(ETH_P_8021AD),
    NLW_CONST(VXLAN_DF_UNSET),
    NLW_CONST(VXLAN_DF_SET),
    NLW_CONST(VXLAN_DF_INHERIT),
});

}  // namespace
}  // namespace nlw
