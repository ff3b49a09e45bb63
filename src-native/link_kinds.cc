// Kind-specific link data, one decoder per kind (see link_kinds.h).
//
// Field names are vishvananda/netlink's for that kind, in lowerCamelCase; a
// name that collides with a LinkAttrs field takes the kind as prefix
// (vxlan's Group -> vxlanGroup), as DESIGN.md pins.
#include "link_kinds.h"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <sys/socket.h>

#include "family.h"
#include "inet.h"

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

namespace {

struct RegisterKind {
  explicit RegisterKind(const LinkKind& k) { link_kind_registry().push_back(&k); }
};

// ---- vxlan (IFLA_VXLAN_*) ----
#define VXLAN_FIELDS(F)                                                      \
  F(vxlanId, Num, "") F(vtepDevIndex, Num, "") F(srcAddr, Str, "")          \
  F(vxlanGroup, Str, "") F(ttl, Num, "") F(tos, Num, "") F(learning, Bool, "") \
  F(proxy, Bool, "") F(rsc, Bool, "") F(l2miss, Bool, "") F(l3miss, Bool, "") \
  F(udpCSum, Bool, "") F(udp6ZeroCSumTx, Bool, "") F(udp6ZeroCSumRx, Bool, "") \
  F(noAge, Bool, "") F(gbp, Bool, "") F(flowBased, Bool, "") F(age, Num, "") \
  F(limit, Num, "") F(port, Num, "") F(portLow, Num, "") F(portHigh, Num, "") \
  F(label, Num, "") F(df, Num, "")
NLW_SCHEMA(vxlan, VXLAN_FIELDS)

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

}  // namespace
}  // namespace nlw
