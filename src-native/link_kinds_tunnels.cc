// Tunnel links: geneve (IFLA_GENEVE_*), gre / gretap / ip6gre / ip6gretap
// (IFLA_GRE_*), ipip and sit (IFLA_IPTUN_*). Field names are vishvananda's
// Geneve, Gretun, Gretap, Iptun and Sittun; a name that collides with a
// LinkAttrs field (EncapType, Flags) takes the Go type as prefix
// (gretunEncapType), as vxlan's Group became vxlanGroup.
//
// Whether an address is IPv4 or IPv6 comes from the kind (gre vs ip6gre) or
// from the attribute type (GENEVE_REMOTE vs GENEVE_REMOTE6), never from the
// length of the bytes. Keys and ports are sent in network byte order.
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <sys/socket.h>

#include "inet.h"
#include "link_kinds.h"
#include "registry.h"

namespace nlw {
namespace {

// IFLA_* newer than the uapi headers this is built against.
constexpr uint16_t kIflaGenevePortRange = IFLA_GENEVE_INNER_PROTO_INHERIT + 1;  // 6.13

void set_ip(Rec& r, uint16_t f, int family, const Attr& a) {
  std::string s = ip_string(family, a.data(), a.len());
  if (!s.empty()) r.str(f, s);
}

// ---- geneve ----
// clang-format off
#define GENEVE_FIELDS(F)                                                      \
  F(id, Num, "") F(remote, Str, "") F(ttl, Num, "") F(tos, Num, "")          \
  F(dport, Num, "") F(udpCsum, Num, "") F(udpZeroCsum6Tx, Num, "")           \
  F(udpZeroCsum6Rx, Num, "") F(link, Num, "") F(flowBased, Bool, "")         \
  F(innerProtoInherit, Bool, "") F(df, Num, "") F(portLow, Num, "")          \
  F(portHigh, Num, "") F(label, Num, "") F(ttlInherit, Bool, "")
NLW_SCHEMA(geneve, GENEVE_FIELDS)
// clang-format on

void parse_geneve(const Attr& data, Rec& r) {
  namespace f = geneve_f;
  bool flow_based = false, inner_proto_inherit = false;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_GENEVE_ID: r.num(f::id, a.u32()); break;
      case IFLA_GENEVE_REMOTE: set_ip(r, f::remote, AF_INET, a); break;
      case IFLA_GENEVE_REMOTE6: set_ip(r, f::remote, AF_INET6, a); break;
      case IFLA_GENEVE_TTL: r.num(f::ttl, a.u8()); break;
      case IFLA_GENEVE_TOS: r.num(f::tos, a.u8()); break;
      case IFLA_GENEVE_PORT: r.num(f::dport, a.be16()); break;
      case IFLA_GENEVE_UDP_CSUM: r.num(f::udpCsum, a.u8()); break;
      case IFLA_GENEVE_UDP_ZERO_CSUM6_TX: r.num(f::udpZeroCsum6Tx, a.u8()); break;
      case IFLA_GENEVE_UDP_ZERO_CSUM6_RX: r.num(f::udpZeroCsum6Rx, a.u8()); break;
      case IFLA_GENEVE_COLLECT_METADATA: flow_based = true; break;
      case IFLA_GENEVE_INNER_PROTO_INHERIT: inner_proto_inherit = true; break;
      case IFLA_GENEVE_DF: r.num(f::df, a.u8()); break;
      case IFLA_GENEVE_LABEL: r.num(f::label, ntohl(a.u32())); break;
      case IFLA_GENEVE_TTL_INHERIT: r.boolean(f::ttlInherit, a.u8() != 0); break;
      case kIflaGenevePortRange: {
        // struct ifla_geneve_port_range { __be16 low, high; }
        uint16_t pr[2];
        if (!a.get(&pr)) break;
        r.num(f::portLow, ntohs(pr[0]));
        r.num(f::portHigh, ntohs(pr[1]));
        break;
      }
    }
  }
  // Flags: present = true. The kernel sends them only when set, so their
  // absence in a decoded geneve link means false, not unknown.
  r.boolean(f::flowBased, flow_based);
  r.boolean(f::innerProtoInherit, inner_proto_inherit);
}
const LinkKind kGeneve{"geneve", geneve_schema, parse_geneve};
RegisterKind reg_geneve(kGeneve);

// ---- gre, ip6gre (Gretun) and gretap, ip6gretap (Gretap) ----
// clang-format off
#define GRE_COMMON_FIELDS(F, ENCAP_TYPE, FLAGS)                               \
  F(link, Num, "") F(iFlags, Num, "") F(oFlags, Num, "") F(iKey, Num, "")    \
  F(oKey, Num, "") F(local, Str, "") F(remote, Str, "") F(ttl, Num, "")      \
  F(tos, Num, "") F(pMtuDisc, Num, "") F(ENCAP_TYPE, Num, "")                \
  F(encapFlags, Num, "") F(encapSport, Num, "") F(encapDport, Num, "")       \
  F(flowBased, Bool, "") F(encapLimit, Num, "") F(flowInfo, Num, "")         \
  F(FLAGS, Num, "") F(ignoreDf, Bool, "") F(fwmark, Num, "")
#define GRETUN_FIELDS(F) GRE_COMMON_FIELDS(F, gretunEncapType, gretunFlags)
#define GRETAP_FIELDS(F) GRE_COMMON_FIELDS(F, gretapEncapType, gretapFlags)
NLW_SCHEMA(gretun, GRETUN_FIELDS)
NLW_SCHEMA(gretap, GRETAP_FIELDS)
// clang-format on
static_assert(int{gretun_f::gretunEncapType} == int{gretap_f::gretapEncapType} &&
                  int{gretun_f::gretunFlags} == int{gretap_f::gretapFlags} &&
                  int{gretun_f::kCount} == int{gretap_f::kCount},
              "gretun and gretap share one layout");

template <int Family>
void parse_gre(const Attr& data, Rec& r) {
  namespace f = gretun_f;  // same positions in gretap_f
  bool flow_based = false;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_GRE_LINK: r.num(f::link, a.u32()); break;
      case IFLA_GRE_IFLAGS: r.num(f::iFlags, a.be16()); break;
      case IFLA_GRE_OFLAGS: r.num(f::oFlags, a.be16()); break;
      case IFLA_GRE_IKEY: r.num(f::iKey, a.be32()); break;
      case IFLA_GRE_OKEY: r.num(f::oKey, a.be32()); break;
      case IFLA_GRE_LOCAL: set_ip(r, f::local, Family, a); break;
      case IFLA_GRE_REMOTE: set_ip(r, f::remote, Family, a); break;
      case IFLA_GRE_TTL: r.num(f::ttl, a.u8()); break;
      case IFLA_GRE_TOS: r.num(f::tos, a.u8()); break;
      case IFLA_GRE_PMTUDISC: r.num(f::pMtuDisc, a.u8()); break;
      case IFLA_GRE_ENCAP_TYPE: r.num(f::gretunEncapType, a.u16()); break;
      case IFLA_GRE_ENCAP_FLAGS: r.num(f::encapFlags, a.u16()); break;
      case IFLA_GRE_ENCAP_SPORT: r.num(f::encapSport, a.be16()); break;
      case IFLA_GRE_ENCAP_DPORT: r.num(f::encapDport, a.be16()); break;
      case IFLA_GRE_COLLECT_METADATA: flow_based = true; break;
      case IFLA_GRE_ENCAP_LIMIT: r.num(f::encapLimit, a.u8()); break;
      case IFLA_GRE_FLOWINFO: r.num(f::flowInfo, a.be32()); break;
      case IFLA_GRE_FLAGS: r.num(f::gretunFlags, a.u32()); break;
      case IFLA_GRE_IGNORE_DF: r.boolean(f::ignoreDf, a.u8() != 0); break;
      case IFLA_GRE_FWMARK: r.num(f::fwmark, a.u32()); break;
    }
  }
  r.boolean(f::flowBased, flow_based);
}
const LinkKind kGre{"gre", gretun_schema, parse_gre<AF_INET>};
RegisterKind reg_gre(kGre);
const LinkKind kIp6Gre{"ip6gre", gretun_schema, parse_gre<AF_INET6>};
RegisterKind reg_ip6gre(kIp6Gre);
const LinkKind kGretap{"gretap", gretap_schema, parse_gre<AF_INET>};
RegisterKind reg_gretap(kGretap);
const LinkKind kIp6Gretap{"ip6gretap", gretap_schema, parse_gre<AF_INET6>};
RegisterKind reg_ip6gretap(kIp6Gretap);

// ---- ipip (Iptun) and sit (Sittun): IFLA_IPTUN_*, IPv4 endpoints ----
// clang-format off
#define IPTUN_FIELDS(F)                                                       \
  F(ttl, Num, "") F(tos, Num, "") F(pMtuDisc, Num, "") F(link, Num, "")      \
  F(local, Str, "") F(remote, Str, "") F(encapSport, Num, "")                \
  F(encapDport, Num, "") F(iptunEncapType, Num, "") F(encapFlags, Num, "")   \
  F(flowBased, Bool, "") F(proto, Num, "") F(fwmark, Num, "")
NLW_SCHEMA(iptun, IPTUN_FIELDS)
// clang-format on

// clang-format off
#define SITTUN_FIELDS(F)                                                      \
  F(link, Num, "") F(ttl, Num, "") F(tos, Num, "") F(pMtuDisc, Num, "")      \
  F(proto, Num, "") F(local, Str, "") F(remote, Str, "")                     \
  F(encapLimit, Num, "") F(sittunEncapType, Num, "") F(encapFlags, Num, "")  \
  F(encapSport, Num, "") F(encapDport, Num, "") F(sittunFlags, Num, "")      \
  F(fwmark, Num, "")
NLW_SCHEMA(sittun, SITTUN_FIELDS)
// clang-format on

void parse_iptun(const Attr& data, Rec& r) {
  namespace f = iptun_f;
  bool flow_based = false;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_IPTUN_LINK: r.num(f::link, a.u32()); break;
      case IFLA_IPTUN_LOCAL: set_ip(r, f::local, AF_INET, a); break;
      case IFLA_IPTUN_REMOTE: set_ip(r, f::remote, AF_INET, a); break;
      case IFLA_IPTUN_TTL: r.num(f::ttl, a.u8()); break;
      case IFLA_IPTUN_TOS: r.num(f::tos, a.u8()); break;
      case IFLA_IPTUN_PMTUDISC: r.num(f::pMtuDisc, a.u8()); break;
      case IFLA_IPTUN_PROTO: r.num(f::proto, a.u8()); break;
      case IFLA_IPTUN_ENCAP_TYPE: r.num(f::iptunEncapType, a.u16()); break;
      case IFLA_IPTUN_ENCAP_FLAGS: r.num(f::encapFlags, a.u16()); break;
      case IFLA_IPTUN_ENCAP_SPORT: r.num(f::encapSport, a.be16()); break;
      case IFLA_IPTUN_ENCAP_DPORT: r.num(f::encapDport, a.be16()); break;
      case IFLA_IPTUN_COLLECT_METADATA: flow_based = true; break;
      case IFLA_IPTUN_FWMARK: r.num(f::fwmark, a.u32()); break;
    }
  }
  r.boolean(f::flowBased, flow_based);
}
const LinkKind kIpip{"ipip", iptun_schema, parse_iptun};
RegisterKind reg_ipip(kIpip);

void parse_sittun(const Attr& data, Rec& r) {
  namespace f = sittun_f;
  for (const Attr& a : Attrs(data)) {
    switch (a.type()) {
      case IFLA_IPTUN_LINK: r.num(f::link, a.u32()); break;
      case IFLA_IPTUN_LOCAL: set_ip(r, f::local, AF_INET, a); break;
      case IFLA_IPTUN_REMOTE: set_ip(r, f::remote, AF_INET, a); break;
      case IFLA_IPTUN_TTL: r.num(f::ttl, a.u8()); break;
      case IFLA_IPTUN_TOS: r.num(f::tos, a.u8()); break;
      case IFLA_IPTUN_PMTUDISC: r.num(f::pMtuDisc, a.u8()); break;
      case IFLA_IPTUN_PROTO: r.num(f::proto, a.u8()); break;
      case IFLA_IPTUN_ENCAP_LIMIT: r.num(f::encapLimit, a.u8()); break;
      case IFLA_IPTUN_ENCAP_TYPE: r.num(f::sittunEncapType, a.u16()); break;
      case IFLA_IPTUN_ENCAP_FLAGS: r.num(f::encapFlags, a.u16()); break;
      case IFLA_IPTUN_ENCAP_SPORT: r.num(f::encapSport, a.be16()); break;
      case IFLA_IPTUN_ENCAP_DPORT: r.num(f::encapDport, a.be16()); break;
      case IFLA_IPTUN_FLAGS: r.num(f::sittunFlags, a.u16()); break;
      case IFLA_IPTUN_FWMARK: r.num(f::fwmark, a.u32()); break;
    }
  }
}
const LinkKind kSit{"sit", sittun_schema, parse_sittun};
RegisterKind reg_sit(kSit);

Register reg_constants({
    NLW_CONST(GENEVE_DF_UNSET),
    NLW_CONST(GENEVE_DF_SET),
    NLW_CONST(GENEVE_DF_INHERIT),
    NLW_CONST(TUNNEL_ENCAP_NONE),
    NLW_CONST(TUNNEL_ENCAP_FOU),
    NLW_CONST(TUNNEL_ENCAP_GUE),
    NLW_CONST(TUNNEL_ENCAP_FLAG_CSUM),
    NLW_CONST(TUNNEL_ENCAP_FLAG_CSUM6),
    NLW_CONST(TUNNEL_ENCAP_FLAG_REMCSUM),
    NLW_CONST(SIT_ISATAP),
});

}  // namespace
}  // namespace nlw
