// Routes: RTM_NEWROUTE messages (struct rtmsg + RTA_* attributes), and the
// route.dump request.
//
// Field names follow vishvananda/netlink's Route (lowerCamelCase, acronyms as
// words: AdvMSS -> advMss, QuickACK -> quickAck, NHID -> nhId); the metrics
// nested in RTA_METRICS are flattened onto the route as vishvananda does.
// Every enumerated value (type, scope, protocol, table) is the kernel's
// number. Absent attributes stay null; a route without RTA_DST gets the
// family's zero prefix (0.0.0.0/0, ::/0), as iproute2 and vishvananda print it.
#include <linux/lwtunnel.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cmath>
#include <cstring>
#include <string>

#include "dump.h"
#include "inet.h"
#include "link_kinds.h"  // mac_string
#include "registry.h"
#include "request.h"

namespace nlw {
namespace {

#ifndef AF_MPLS
#define AF_MPLS 28
#endif

// clang-format off
#define ROUTE_VIA_FIELDS(F) F(addrFamily, Num, "") F(addr, Str, "")
NLW_SCHEMA(route_via, ROUTE_VIA_FIELDS)
// clang-format on

// clang-format off
#define ROUTE_CACHEINFO_FIELDS(F)                                         \
  F(users, Num, "") F(age, Num, "") F(expires, Num, "") F(error, Num, "") \
  F(used, Num, "") F(id, Num, "") F(ts, Num, "") F(tsage, Num, "")
NLW_SCHEMA(route_cacheinfo, ROUTE_CACHEINFO_FIELDS)
// clang-format on

// clang-format off
#define ROUTE_NEXTHOP_FIELDS(F)                                          \
  F(linkIndex, Num, "") F(hops, Num, "") F(gw, Str, "") F(flags, Num, "") \
  F(newDst, Str, "") F(encapType, Num, "") F(encap, Bytes, "")           \
  F(via, Obj, "route_via")
NLW_SCHEMA(route_nexthop, ROUTE_NEXTHOP_FIELDS)
// clang-format on

// clang-format off
#define ROUTE_FIELDS(F)                                                        \
  F(linkIndex, Num, "") F(iLinkIndex, Num, "") F(scope, Num, "")              \
  F(dst, Str, "") F(src, Str, "") F(gw, Str, "")                              \
  F(multiPath, List, "route_nexthop") F(protocol, Num, "")                    \
  F(priority, Num, "") F(family, Num, "") F(table, Num, "") F(type, Num, "")  \
  F(tos, Num, "") F(flags, Num, "") F(mplsDst, Num, "") F(newDst, Str, "")    \
  F(encapType, Num, "") F(encap, Bytes, "") F(via, Obj, "route_via")          \
  F(realm, Num, "") F(pref, Num, "") F(mtu, Num, "") F(mtuLock, Bool, "")     \
  F(window, Num, "") F(rtt, Num, "") F(rttVar, Num, "") F(ssthresh, Num, "")  \
  F(cwnd, Num, "") F(advMss, Num, "") F(reordering, Num, "")                  \
  F(hoplimit, Num, "") F(initCwnd, Num, "") F(features, Num, "")              \
  F(rtoMin, Num, "") F(rtoMinLock, Bool, "") F(initRwnd, Num, "")             \
  F(quickAck, Num, "") F(congctl, Str, "") F(fastOpenNoCookie, Num, "")       \
  F(locks, Num, "") F(expires, Num, "") F(cacheInfo, Obj, "route_cacheinfo")  \
  F(nhId, Num, "")
NLW_SCHEMA(route, ROUTE_FIELDS)
// clang-format on

// The IP family of a route message's addresses: the multicast routing
// families carry IPv4 / IPv6 addresses.
int ip_family(int family) {
  if (family == RTNL_FAMILY_IPMR) return AF_INET;
  if (family == RTNL_FAMILY_IP6MR) return AF_INET6;
  return family;
}

// An MPLS label stack entry: label in the top 20 bits, bottom-of-stack bit 8.
// Returns the labels as iproute2 prints them ("100/200").
std::string mpls_stack(const Attr& a, unsigned* first, size_t* count) {
  std::string s;
  *count = 0;
  for (size_t off = 0; off + 4 <= a.len(); off += 4) {
    uint32_t be;
    std::memcpy(&be, a.data() + off, 4);
    uint32_t entry = bswap32(be);
    unsigned label = entry >> 12;
    if (*count == 0) *first = label;
    if (!s.empty()) s += '/';
    s += std::to_string(label);
    ++*count;
    if (entry & 0x100) break;  // bottom of stack
  }
  return s;
}

// struct rtvia: a sa_family_t, then the address of that family.
void parse_via(const Attr& a, RecordSet& out, Rec& owner, uint16_t field) {
  __kernel_sa_family_t fam;
  if (a.len() < sizeof fam) {
    a.err()->fail("RTA_VIA shorter than its family");
    return;
  }
  std::memcpy(&fam, a.data(), sizeof fam);
  Rec v = out.add(route_via_schema());
  v.num(route_via_f::addrFamily, fam);
  const uint8_t* p = a.data() + sizeof fam;
  size_t n = a.len() - sizeof fam;
  std::string s = ip_string(fam, p, n);
  if (s.empty()) s = mac_string(p, n);  // AF_PACKET and friends: raw bytes
  if (!s.empty()) v.str(route_via_f::addr, s);
  owner.obj(field, v.index());
}

void parse_encap(const Attr* type, const Attr* encap, RecordSet&, Rec& r, uint16_t type_field,
                 uint16_t encap_field) {
  if (type) r.num(type_field, type->u16());
  if (encap) r.bytes(encap_field, encap->data(), encap->len());
}

// RTA_MULTIPATH: a run of struct rtnexthop, each followed by its own
// attributes within rtnh_len. Not TLVs, so walked here with explicit bounds.
void parse_multipath(const Attr& a, int family, RecordSet& out, Rec& route) {
  size_t first = out.count(route_nexthop_schema());
  size_t off = 0;
  while (off < a.len()) {
    rtnexthop nh;
    if (a.len() - off < sizeof nh) {
      a.err()->fail("RTA_MULTIPATH: truncated rtnexthop");
      break;
    }
    std::memcpy(&nh, a.data() + off, sizeof nh);
    if (nh.rtnh_len < sizeof nh || nh.rtnh_len > a.len() - off) {
      a.err()->fail("RTA_MULTIPATH: rtnh_len out of bounds");
      break;
    }
    Rec h = out.add(route_nexthop_schema());
    namespace f = route_nexthop_f;
    h.num(f::linkIndex, nh.rtnh_ifindex);
    h.num(f::hops, nh.rtnh_hops);
    h.num(f::flags, nh.rtnh_flags);
    const size_t hdr = RTNH_ALIGN(sizeof nh);
    if (nh.rtnh_len > hdr) {
      Attr encap_type(0, nullptr, 0, a.err()), encap(0, nullptr, 0, a.err());
      bool have_type = false, have_encap = false;
      for (const Attr& n : Attrs(a.data() + off + hdr, nh.rtnh_len - hdr, a.err())) {
        switch (n.type()) {
          case RTA_GATEWAY: {
            std::string s = ip_string(family, n.data(), n.len());
            if (!s.empty()) h.str(f::gw, s);
            break;
          }
          case RTA_VIA: parse_via(n, out, h, f::via); break;
          case RTA_NEWDST: {
            unsigned label0 = 0;
            size_t count = 0;
            std::string s = mpls_stack(n, &label0, &count);
            if (count) h.str(f::newDst, s);
            break;
          }
          case RTA_ENCAP_TYPE:
            encap_type = n;
            have_type = true;
            break;
          case RTA_ENCAP:
            encap = n;
            have_encap = true;
            break;
        }
      }
      parse_encap(have_type ? &encap_type : nullptr, have_encap ? &encap : nullptr, out, h,
                  f::encapType, f::encap);
    }
    size_t step = RTNH_ALIGN(nh.rtnh_len);
    off += step < a.len() - off ? step : a.len() - off;
  }
  route.list(route_f::multiPath, first, out.count(route_nexthop_schema()) - first);
}

void parse_metrics(const Attr& a, Rec& r) {
  namespace f = route_f;
  for (const Attr& m : Attrs(a)) {
    switch (m.type()) {
      case RTAX_LOCK: {
        uint32_t locks = m.u32();
        r.num(f::locks, locks);
        r.boolean(f::mtuLock, (locks & (1u << RTAX_MTU)) != 0);
        r.boolean(f::rtoMinLock, (locks & (1u << RTAX_RTO_MIN)) != 0);
        break;
      }
      case RTAX_MTU: r.num(f::mtu, m.u32()); break;
      case RTAX_WINDOW: r.num(f::window, m.u32()); break;
      case RTAX_RTT: r.num(f::rtt, m.u32()); break;
      case RTAX_RTTVAR: r.num(f::rttVar, m.u32()); break;
      case RTAX_SSTHRESH: r.num(f::ssthresh, m.u32()); break;
      case RTAX_CWND: r.num(f::cwnd, m.u32()); break;
      case RTAX_ADVMSS: r.num(f::advMss, m.u32()); break;
      case RTAX_REORDERING: r.num(f::reordering, m.u32()); break;
      case RTAX_HOPLIMIT: r.num(f::hoplimit, m.u32()); break;
      case RTAX_INITCWND: r.num(f::initCwnd, m.u32()); break;
      case RTAX_FEATURES: r.num(f::features, m.u32()); break;
      case RTAX_RTO_MIN: r.num(f::rtoMin, m.u32()); break;
      case RTAX_INITRWND: r.num(f::initRwnd, m.u32()); break;
      case RTAX_QUICKACK: r.num(f::quickAck, m.u32()); break;
      case RTAX_CC_ALGO: r.str(f::congctl, m.str()); break;
      case RTAX_FASTOPEN_NO_COOKIE: r.num(f::fastOpenNoCookie, m.u32()); break;
    }
  }
}

void parse_route_msg(const Message& m, RecordSet& out) {
  if (m.type() != RTM_NEWROUTE && m.type() != RTM_DELROUTE) return;  // DEL: events
  rtmsg rtm;
  if (!m.header(&rtm)) return;
  const int family = ip_family(rtm.rtm_family);
  Rec r = out.add(route_schema());
  namespace f = route_f;
  r.num(f::family, rtm.rtm_family);
  r.num(f::scope, rtm.rtm_scope);
  r.num(f::protocol, rtm.rtm_protocol);
  r.num(f::table, rtm.rtm_table);  // RTA_TABLE, when sent, supersedes it
  r.num(f::type, rtm.rtm_type);
  r.num(f::tos, rtm.rtm_tos);
  r.num(f::flags, rtm.rtm_flags);

  Attr encap_type(0, nullptr, 0, m.err()), encap(0, nullptr, 0, m.err());
  bool have_type = false, have_encap = false, have_dst = false;
  for (const Attr& a : m.attrs(sizeof rtm)) {
    switch (a.type()) {
      case RTA_DST:
        if (rtm.rtm_family == AF_MPLS) {
          unsigned label0 = 0;
          size_t count = 0;
          mpls_stack(a, &label0, &count);
          if (count == 1)
            r.num(f::mplsDst, label0);
          else
            a.err()->fail("MPLS RTA_DST is not one label");
        } else {
          // Destinations are nearly all distinct: appended, not interned.
          char buf[kMaxCidrLen];
          size_t len = format_cidr(family, a.data(), a.len(), rtm.rtm_dst_len, buf);
          if (len) {
            r.str_unique(f::dst, std::string_view(buf, len));
            have_dst = true;
          }
        }
        break;
      case RTA_PREFSRC: {
        std::string s = ip_string(family, a.data(), a.len());
        if (!s.empty()) r.str(f::src, s);
        break;
      }
      case RTA_GATEWAY: {
        std::string s = ip_string(family, a.data(), a.len());
        if (!s.empty()) r.str(f::gw, s);
        break;
      }
      case RTA_OIF: r.num(f::linkIndex, a.u32()); break;
      case RTA_IIF: r.num(f::iLinkIndex, a.u32()); break;
      case RTA_PRIORITY: r.num(f::priority, a.u32()); break;
      case RTA_FLOW: r.num(f::realm, a.u32()); break;
      case RTA_TABLE: r.num(f::table, a.u32()); break;
      case RTA_PREF: r.num(f::pref, a.u8()); break;
      case RTA_NH_ID: r.num(f::nhId, a.u32()); break;
      case RTA_MULTIPATH: parse_multipath(a, family, out, r); break;
      case RTA_VIA: parse_via(a, out, r, f::via); break;
      case RTA_NEWDST: {
        unsigned label0 = 0;
        size_t count = 0;
        std::string s = mpls_stack(a, &label0, &count);
        if (count) r.str(f::newDst, s);
        break;
      }
      case RTA_ENCAP_TYPE:
        encap_type = a;
        have_type = true;
        break;
      case RTA_ENCAP:
        encap = a;
        have_encap = true;
        break;
      case RTA_METRICS: parse_metrics(a, r); break;
      case RTA_CACHEINFO: {
        rta_cacheinfo ci;
        if (!a.get(&ci)) break;
        Rec c = out.add(route_cacheinfo_schema());
        namespace cf = route_cacheinfo_f;
        c.num(cf::users, ci.rta_clntref);
        c.num(cf::age, ci.rta_lastuse);
        c.num(cf::expires, ci.rta_expires);
        c.num(cf::error, ci.rta_error);
        c.num(cf::used, ci.rta_used);
        c.num(cf::id, ci.rta_id);
        c.num(cf::ts, ci.rta_ts);
        c.num(cf::tsage, ci.rta_tsage);
        r.obj(f::cacheInfo, c.index());
        // rta_expires is in clock_t (USER_HZ = 100): whole seconds, like
        // vishvananda's Expires and iproute2's "expires Nsec".
        r.num(f::expires, std::trunc(ci.rta_expires / 100.0));
        break;
      }
    }
  }
  parse_encap(have_type ? &encap_type : nullptr, have_encap ? &encap : nullptr, out, r,
              f::encapType, f::encap);
  if (!have_dst && (rtm.rtm_family == AF_INET || rtm.rtm_family == AF_INET6)) {
    static const uint8_t kZero[16] = {};
    r.str(f::dst, cidr_string(rtm.rtm_family, kZero, 16, rtm.rtm_dst_len));
  }
}

const Parser kRouteParser{"routes", route_schema, parse_route_msg};
Register reg_parser(kRouteParser);

// route.dump { family, table, protocol, type, oif, kernelFilter }:
// RTM_GETROUTE for one family (AF_UNSPEC: all). When the socket has
// NETLINK_GET_STRICT_CHK (4.20+) and kernelFilter is true, the filters
// the kernel understands go in the request (ip_valid_fib_dump_req: rtm_table
// or RTA_TABLE, rtm_protocol, rtm_type, RTA_OIF; 0 = no filter), and cloned
// routes (exceptions) are left out because rtm_flags lacks RTM_F_CLONED.
// A strict kernel answers ENOENT for a table that does not exist (IPv4/IPv6
// dumps) and ENODEV for an oif that does not exist. The reply's `result` is
// 1 when the kernel filtered; the facade applies vishvananda's filter on top
// either way (its OIF test is stricter than the kernel's "uses this device").
// clang-format off
#define ROUTE_DUMP_ARGS(F)                                                     \
  F(family, U8, Req) F(table, U32, Req) F(protocol, U8, Req) F(type, U8, Req) \
  F(oif, U32, Req) F(kernelFilter, Bool, Req)
NLW_ARGS(RouteDumpArgs, ROUTE_DUMP_ARGS)
// clang-format on

bool run_route_dump(OpContext& ctx, const RouteDumpArgs& args) {
  const bool filter = ctx.sock->strict_check() && args.kernelFilter;
  rtmsg rtm{};
  rtm.rtm_family = args.family;
  RequestBuilder b(RTM_GETROUTE, NLM_F_DUMP);
  if (filter) {
    rtm.rtm_protocol = args.protocol;
    rtm.rtm_type = args.type;
  }
  b.fixed(rtm);
  if (filter && args.table != 0) b.attr_u32(RTA_TABLE, args.table);
  if (filter && args.oif != 0) b.attr_u32(RTA_OIF, args.oif);
  std::vector<uint8_t> req;
  std::string why;
  if (!b.take(&req, &why)) {
    set_einval(ctx.err, why);
    return false;
  }
  ctx.result = filter ? 1 : 0;
  return transact_and_parse(kRouteParser, ctx, req);
}

const Op kRouteDump =
    typed_op<RouteDumpArgs, run_route_dump>("route.dump", NETLINK_ROUTE, &kRouteParser);
Register reg_dump(kRouteDump);

Register reg_constants({
    NLW_CONST(RTN_UNSPEC),
    NLW_CONST(RTN_UNICAST),
    NLW_CONST(RTN_LOCAL),
    NLW_CONST(RTN_BROADCAST),
    NLW_CONST(RTN_ANYCAST),
    NLW_CONST(RTN_MULTICAST),
    NLW_CONST(RTN_BLACKHOLE),
    NLW_CONST(RTN_UNREACHABLE),
    NLW_CONST(RTN_PROHIBIT),
    NLW_CONST(RTN_THROW),
    NLW_CONST(RTN_NAT),
    NLW_CONST(RTN_XRESOLVE),
    NLW_CONST(RT_SCOPE_UNIVERSE),
    NLW_CONST(RT_SCOPE_SITE),
    NLW_CONST(RT_SCOPE_LINK),
    NLW_CONST(RT_SCOPE_HOST),
    NLW_CONST(RT_SCOPE_NOWHERE),
    NLW_CONST(RTPROT_UNSPEC),
    NLW_CONST(RTPROT_REDIRECT),
    NLW_CONST(RTPROT_KERNEL),
    NLW_CONST(RTPROT_BOOT),
    NLW_CONST(RTPROT_STATIC),
    NLW_CONST(RTPROT_GATED),
    NLW_CONST(RTPROT_RA),
    NLW_CONST(RTPROT_MRT),
    NLW_CONST(RTPROT_ZEBRA),
    NLW_CONST(RTPROT_BIRD),
    NLW_CONST(RTPROT_DNROUTED),
    NLW_CONST(RTPROT_XORP),
    NLW_CONST(RTPROT_NTK),
    NLW_CONST(RTPROT_DHCP),
    NLW_CONST(RTPROT_MROUTED),
    NLW_CONST(RTPROT_KEEPALIVED),
    NLW_CONST(RTPROT_BABEL),
    NLW_CONST(RTPROT_OPENR),
    NLW_CONST(RTPROT_BGP),
    NLW_CONST(RTPROT_ISIS),
    NLW_CONST(RTPROT_OSPF),
    NLW_CONST(RTPROT_RIP),
    NLW_CONST(RTPROT_EIGRP),
    NLW_CONST(RT_TABLE_UNSPEC),
    NLW_CONST(RT_TABLE_COMPAT),
    NLW_CONST(RT_TABLE_DEFAULT),
    NLW_CONST(RT_TABLE_MAIN),
    NLW_CONST(RT_TABLE_LOCAL),
    NLW_CONST(RTNH_F_DEAD),
    NLW_CONST(RTNH_F_PERVASIVE),
    NLW_CONST(RTNH_F_ONLINK),
    NLW_CONST(RTNH_F_OFFLOAD),
    NLW_CONST(RTNH_F_LINKDOWN),
    NLW_CONST(RTNH_F_UNRESOLVED),
    NLW_CONST(RTNH_F_TRAP),
    NLW_CONST(RTM_F_NOTIFY),
    NLW_CONST(RTM_F_CLONED),
    NLW_CONST(RTM_F_EQUALIZE),
    NLW_CONST(RTM_F_PREFIX),
    NLW_CONST(RTM_F_LOOKUP_TABLE),
    NLW_CONST(RTM_F_FIB_MATCH),
    NLW_CONST(RTM_F_OFFLOAD),
    NLW_CONST(RTM_F_TRAP),
    NLW_CONST(RTM_F_OFFLOAD_FAILED),
    NLW_CONST(RTAX_LOCK),
    NLW_CONST(RTAX_MTU),
    NLW_CONST(RTAX_WINDOW),
    NLW_CONST(RTAX_RTT),
    NLW_CONST(RTAX_RTTVAR),
    NLW_CONST(RTAX_SSTHRESH),
    NLW_CONST(RTAX_CWND),
    NLW_CONST(RTAX_ADVMSS),
    NLW_CONST(RTAX_REORDERING),
    NLW_CONST(RTAX_HOPLIMIT),
    NLW_CONST(RTAX_INITCWND),
    NLW_CONST(RTAX_FEATURES),
    NLW_CONST(RTAX_RTO_MIN),
    NLW_CONST(RTAX_INITRWND),
    NLW_CONST(RTAX_QUICKACK),
    NLW_CONST(RTAX_CC_ALGO),
    NLW_CONST(RTAX_FASTOPEN_NO_COOKIE),
    NLW_CONST(RTAX_FEATURE_ECN),
    NLW_CONST(RTAX_FEATURE_SACK),
    NLW_CONST(RTAX_FEATURE_TIMESTAMP),
    NLW_CONST(RTAX_FEATURE_ALLFRAG),
    NLW_CONST(LWTUNNEL_ENCAP_NONE),
    NLW_CONST(LWTUNNEL_ENCAP_MPLS),
    NLW_CONST(LWTUNNEL_ENCAP_IP),
    NLW_CONST(LWTUNNEL_ENCAP_ILA),
    NLW_CONST(LWTUNNEL_ENCAP_IP6),
    NLW_CONST(LWTUNNEL_ENCAP_SEG6),
    NLW_CONST(LWTUNNEL_ENCAP_BPF),
    NLW_CONST(LWTUNNEL_ENCAP_SEG6_LOCAL),
    NLW_CONST(LWTUNNEL_ENCAP_RPL),
    NLW_CONST(LWTUNNEL_ENCAP_IOAM6),
    NLW_CONST(LWTUNNEL_ENCAP_XFRM),
    NLW_CONST(RTNL_FAMILY_IPMR),
    NLW_CONST(RTNL_FAMILY_IP6MR),
});

}  // namespace
}  // namespace nlw
