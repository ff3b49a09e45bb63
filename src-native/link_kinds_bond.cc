// Bond links (IFLA_BOND_*) and bond ports (IFLA_BOND_SLAVE_*): vishvananda's
// Bond and BondSlave, field for field, in lowerCamelCase. Every enumerated
// value (mode, xmitHashPolicy, lacpRate, state, miiStatus ...) is the
// kernel's number; the uapi names are exported (BOND_MODE_*, BOND_STATE_*).
#include <arpa/inet.h>
#include <linux/if_bonding.h>
#include <linux/if_link.h>
#include <sys/socket.h>

#include "inet.h"
#include "link_kinds.h"
#include "registry.h"

namespace nlw {
namespace {

// clang-format off
#define BOND_AD_INFO_FIELDS(F)                                        \
  F(aggregatorId, Num, "") F(numPorts, Num, "") F(actorKey, Num, "") \
  F(partnerKey, Num, "") F(partnerMac, Str, "")
NLW_SCHEMA(bond_ad_info, BOND_AD_INFO_FIELDS)
// clang-format on

// The first 27 are vishvananda's Bond; the last three are newer uapi
// attributes (5.3, 5.15, 5.18) under their uapi names.
// clang-format off
#define BOND_FIELDS(F)                                                        \
  F(mode, Num, "") F(activeSlave, Num, "") F(miimon, Num, "")                \
  F(upDelay, Num, "") F(downDelay, Num, "") F(useCarrier, Num, "")           \
  F(arpInterval, Num, "") F(arpIpTargets, Strs, "") F(arpValidate, Num, "")  \
  F(arpAllTargets, Num, "") F(primary, Num, "") F(primaryReselect, Num, "")  \
  F(failOverMac, Num, "") F(xmitHashPolicy, Num, "") F(resendIgmp, Num, "")  \
  F(numPeerNotif, Num, "") F(allSlavesActive, Num, "") F(minLinks, Num, "")  \
  F(lpInterval, Num, "") F(packetsPerSlave, Num, "") F(lacpRate, Num, "")    \
  F(adSelect, Num, "") F(adInfo, Obj, "bond_ad_info")                        \
  F(adActorSysPrio, Num, "") F(adUserPortKey, Num, "")                       \
  F(adActorSystem, Str, "") F(tlbDynamicLb, Num, "")                         \
  F(peerNotifDelay, Num, "") F(adLacpActive, Num, "") F(missedMax, Num, "")
NLW_SCHEMA(bond, BOND_FIELDS)
// clang-format on

void parse_ad_info(const Attr& data, Rec& bond) {
  Rec r = bond.set().add(bond_ad_info_schema());
  namespace f = bond_ad_info_f;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_BOND_AD_INFO_AGGREGATOR: r.num(f::aggregatorId, a.u16()); break;
      case IFLA_BOND_AD_INFO_NUM_PORTS: r.num(f::numPorts, a.u16()); break;
      case IFLA_BOND_AD_INFO_ACTOR_KEY: r.num(f::actorKey, a.u16()); break;
      case IFLA_BOND_AD_INFO_PARTNER_KEY: r.num(f::partnerKey, a.u16()); break;
      case IFLA_BOND_AD_INFO_PARTNER_MAC: set_mac(r, f::partnerMac, a); break;
    }
  }
  bond.obj(bond_f::adInfo, r.index());
}

void parse_bond(const Attr& data, Rec& r) {
  namespace f = bond_f;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_BOND_MODE: r.num(f::mode, a.u8()); break;
      case IFLA_BOND_ACTIVE_SLAVE: r.num(f::activeSlave, a.u32()); break;
      case IFLA_BOND_MIIMON: r.num(f::miimon, a.u32()); break;
      case IFLA_BOND_UPDELAY: r.num(f::upDelay, a.u32()); break;
      case IFLA_BOND_DOWNDELAY: r.num(f::downDelay, a.u32()); break;
      case IFLA_BOND_USE_CARRIER: r.num(f::useCarrier, a.u8()); break;
      case IFLA_BOND_ARP_INTERVAL: r.num(f::arpInterval, a.u32()); break;
      case IFLA_BOND_ARP_IP_TARGET: {
        // IPv4 only: IPv6 targets come in IFLA_BOND_NS_IP6_TARGET.
        std::vector<std::string> ips;
        for (const Attr& t : Attrs(a)) {
          std::string s = ip_string(AF_INET, t.data(), t.len());
          if (!s.empty()) ips.push_back(s);
        }
        r.strs(f::arpIpTargets, std::vector<std::string_view>(ips.begin(), ips.end()));
        break;
      }
      case IFLA_BOND_ARP_VALIDATE: r.num(f::arpValidate, a.u32()); break;
      case IFLA_BOND_ARP_ALL_TARGETS: r.num(f::arpAllTargets, a.u32()); break;
      case IFLA_BOND_PRIMARY: r.num(f::primary, a.u32()); break;
      case IFLA_BOND_PRIMARY_RESELECT: r.num(f::primaryReselect, a.u8()); break;
      case IFLA_BOND_FAIL_OVER_MAC: r.num(f::failOverMac, a.u8()); break;
      case IFLA_BOND_XMIT_HASH_POLICY: r.num(f::xmitHashPolicy, a.u8()); break;
      case IFLA_BOND_RESEND_IGMP: r.num(f::resendIgmp, a.u32()); break;
      case IFLA_BOND_NUM_PEER_NOTIF: r.num(f::numPeerNotif, a.u8()); break;
      case IFLA_BOND_ALL_SLAVES_ACTIVE: r.num(f::allSlavesActive, a.u8()); break;
      case IFLA_BOND_MIN_LINKS: r.num(f::minLinks, a.u32()); break;
      case IFLA_BOND_LP_INTERVAL: r.num(f::lpInterval, a.u32()); break;
      case IFLA_BOND_PACKETS_PER_SLAVE: r.num(f::packetsPerSlave, a.u32()); break;
      case IFLA_BOND_AD_LACP_RATE: r.num(f::lacpRate, a.u8()); break;
      case IFLA_BOND_AD_SELECT: r.num(f::adSelect, a.u8()); break;
      case IFLA_BOND_AD_INFO: parse_ad_info(a, r); break;
      case IFLA_BOND_AD_ACTOR_SYS_PRIO: r.num(f::adActorSysPrio, a.u16()); break;
      case IFLA_BOND_AD_USER_PORT_KEY: r.num(f::adUserPortKey, a.u16()); break;
      case IFLA_BOND_AD_ACTOR_SYSTEM: set_mac(r, f::adActorSystem, a); break;
      case IFLA_BOND_TLB_DYNAMIC_LB: r.num(f::tlbDynamicLb, a.u8()); break;
      case IFLA_BOND_PEER_NOTIF_DELAY: r.num(f::peerNotifDelay, a.u32()); break;
      case IFLA_BOND_AD_LACP_ACTIVE: r.num(f::adLacpActive, a.u8()); break;
      case IFLA_BOND_MISSED_MAX: r.num(f::missedMax, a.u8()); break;
    }
  }
}
const LinkKind kBond{"bond", bond_schema, parse_bond};
RegisterKind reg_bond(kBond);

// clang-format off
#define BOND_SLAVE_FIELDS(F)                                                  \
  F(state, Num, "") F(miiStatus, Num, "") F(linkFailureCount, Num, "")       \
  F(permHardwareAddr, Str, "") F(queueId, Num, "") F(aggregatorId, Num, "")  \
  F(adActorOperPortState, Num, "") F(adPartnerOperPortState, Num, "")
NLW_SCHEMA(bond_slave, BOND_SLAVE_FIELDS)
// clang-format on

void parse_bond_slave(const Attr& data, Rec& r) {
  namespace f = bond_slave_f;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_BOND_SLAVE_STATE: r.num(f::state, a.u8()); break;
      case IFLA_BOND_SLAVE_MII_STATUS: r.num(f::miiStatus, a.u8()); break;
      case IFLA_BOND_SLAVE_LINK_FAILURE_COUNT: r.num(f::linkFailureCount, a.u32()); break;
      case IFLA_BOND_SLAVE_PERM_HWADDR: set_mac(r, f::permHardwareAddr, a); break;
      case IFLA_BOND_SLAVE_QUEUE_ID: r.num(f::queueId, a.u16()); break;
      case IFLA_BOND_SLAVE_AD_AGGREGATOR_ID: r.num(f::aggregatorId, a.u16()); break;
      case IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE: r.num(f::adActorOperPortState, a.u8()); break;
      case IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE:
        r.num(f::adPartnerOperPortState, a.u16());
        break;
    }
  }
}
const LinkKind kBondSlave{"bond", bond_slave_schema, parse_bond_slave};
RegisterSlaveKind reg_bond_slave(kBondSlave);

Register reg_constants({
    NLW_CONST(BOND_MODE_ROUNDROBIN),
    NLW_CONST(BOND_MODE_ACTIVEBACKUP),
    NLW_CONST(BOND_MODE_XOR),
    NLW_CONST(BOND_MODE_BROADCAST),
    NLW_CONST(BOND_MODE_8023AD),
    NLW_CONST(BOND_MODE_TLB),
    NLW_CONST(BOND_MODE_ALB),
    NLW_CONST(BOND_LINK_UP),
    NLW_CONST(BOND_LINK_FAIL),
    NLW_CONST(BOND_LINK_DOWN),
    NLW_CONST(BOND_LINK_BACK),
    NLW_CONST(BOND_STATE_ACTIVE),
    NLW_CONST(BOND_STATE_BACKUP),
    NLW_CONST(BOND_XMIT_POLICY_LAYER2),
    NLW_CONST(BOND_XMIT_POLICY_LAYER34),
    NLW_CONST(BOND_XMIT_POLICY_LAYER23),
    NLW_CONST(BOND_XMIT_POLICY_ENCAP23),
    NLW_CONST(BOND_XMIT_POLICY_ENCAP34),
    NLW_CONST(BOND_XMIT_POLICY_VLAN_SRCMAC),
});

}  // namespace
}  // namespace nlw
