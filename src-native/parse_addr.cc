// Addresses: RTM_NEWADDR messages (struct ifaddrmsg + IFA_* attributes), and
// the addr.dump request.
//
// Field names follow vishvananda/netlink's Addr (lowerCamelCase; its own
// spelling "preferedLft" is kept). The local/peer logic is libnl's and
// vishvananda's: IPv4 sends IFA_LOCAL (this host's address) and IFA_ADDRESS
// (the peer's, on point-to-point links; else the same address); IPv6 sends
// only IFA_ADDRESS unless a peer was configured. With a peer, ipNet is the
// local address as a host prefix (/32, /128) and peer carries the prefix.
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include "dump.h"
#include "inet.h"
#include "registry.h"
#include "request.h"

namespace nlw {
namespace {

// clang-format off
#define ADDR_FIELDS(F)                                                      \
  F(ipNet, Str, "") F(peer, Str, "") F(broadcast, Str, "")                 \
  F(label, Str, "") F(flags, Num, "") F(scope, Num, "")                    \
  F(preferedLft, Num, "") F(validLft, Num, "") F(linkIndex, Num, "")       \
  F(protocol, Num, "") F(family, Num, "")
NLW_SCHEMA(addr, ADDR_FIELDS)
// clang-format on

void parse_addr_msg(const Message& m, RecordSet& out) {
  if (m.type() != RTM_NEWADDR && m.type() != RTM_DELADDR) return;  // DEL: events
  ifaddrmsg ifa;
  if (!m.header(&ifa)) return;
  const int family = ifa.ifa_family;
  const size_t alen = addr_len(family);

  Rec r = out.add(addr_schema());
  namespace f = addr_f;
  r.num(f::family, family);
  r.num(f::linkIndex, ifa.ifa_index);
  r.num(f::scope, ifa.ifa_scope);
  // IFA_FLAGS (u32, since 3.14) supersedes the 8-bit ifa_flags; a kernel
  // that sends no IFA_FLAGS has only the header's bits to give.
  r.num(f::flags, ifa.ifa_flags);

  const uint8_t* local = nullptr;
  const uint8_t* address = nullptr;
  for (const Attr& a : m.attrs(sizeof ifa)) {
    switch (a.type()) {
      case IFA_ADDRESS:
        if (a.len() < alen)
          a.err()->fail("IFA_ADDRESS shorter than its family's address");
        else
          address = a.data();
        break;
      case IFA_LOCAL:
        if (a.len() < alen)
          a.err()->fail("IFA_LOCAL shorter than its family's address");
        else
          local = a.data();
        break;
      case IFA_BROADCAST: {
        std::string s = ip_string(family, a.data(), a.len());
        if (!s.empty()) r.str(f::broadcast, s);
        break;
      }
      case IFA_LABEL: r.str(f::label, a.str()); break;
      case IFA_FLAGS: r.num(f::flags, a.u32()); break;
      case IFA_CACHEINFO: {
        ifa_cacheinfo ci;
        if (!a.get(&ci)) break;
        r.num(f::preferedLft, ci.ifa_prefered);
        r.num(f::validLft, ci.ifa_valid);
        break;
      }
      case IFA_PROTO: r.num(f::protocol, a.u8()); break;
    }
  }
  if (alen == 0) return;  // not an IP family: no addresses to format

  // Addresses are nearly all distinct: appended, not interned.
  const unsigned host = static_cast<unsigned>(alen * 8);
  char buf[kMaxCidrLen];
  auto put = [&](uint16_t field, const uint8_t* ip, unsigned prefix) {
    size_t len = format_cidr(family, ip, alen, prefix, buf);
    r.str_unique(field, std::string_view(buf, len));
  };
  if (local != nullptr) {
    bool same = address != nullptr && std::memcmp(local, address, alen) == 0;
    if (family == AF_INET && same) {
      put(f::ipNet, address, ifa.ifa_prefixlen);
    } else {
      put(f::ipNet, local, host);
      if (address != nullptr) put(f::peer, address, ifa.ifa_prefixlen);
    }
  } else if (address != nullptr) {
    put(f::ipNet, address, ifa.ifa_prefixlen);
  }
}

const Parser kAddrParser{"addrs", addr_schema, parse_addr_msg};
Register reg_parser(kAddrParser);

// addr.dump { family, index, kernelFilter }: RTM_GETADDR for one family
// (AF_UNSPEC: all) and, when the socket has NETLINK_GET_STRICT_CHK and
// kernelFilter is true, one link (ifa_index, 0: all), so the kernel sends
// only that link's addresses. Without strict checking the kernel ignores
// ifa_index and sends every link's; the reply's `result` says which
// happened (1: the kernel filtered by link) and the facade filters the rest.
// A strict kernel answers ENODEV for a link that does not exist.
#define ADDR_DUMP_ARGS(F) F(family, U8, Req) F(index, U32, Req) F(kernelFilter, Bool, Req)
NLW_ARGS(AddrDumpArgs, ADDR_DUMP_ARGS)

bool run_addr_dump(OpContext& ctx, const AddrDumpArgs& args) {
  const bool filter = ctx.sock->strict_check() && args.kernelFilter && args.index != 0;
  ifaddrmsg ifa{};
  ifa.ifa_family = args.family;
  if (filter) ifa.ifa_index = args.index;
  std::vector<uint8_t> req;
  std::string why;
  if (!RequestBuilder(RTM_GETADDR, NLM_F_DUMP).fixed(ifa).take(&req, &why)) {
    set_einval(ctx.err, why);
    return false;
  }
  ctx.result = filter ? 1 : 0;
  return transact_and_parse(kAddrParser, ctx, req);
}

const Op kAddrDump =
    typed_op<AddrDumpArgs, run_addr_dump>("addr.dump", NETLINK_ROUTE, &kAddrParser);
Register reg_dump(kAddrDump);

Register reg_constants({
    NLW_CONST(IFA_F_SECONDARY),
    NLW_CONST(IFA_F_TEMPORARY),
    NLW_CONST(IFA_F_NODAD),
    NLW_CONST(IFA_F_OPTIMISTIC),
    NLW_CONST(IFA_F_DADFAILED),
    NLW_CONST(IFA_F_HOMEADDRESS),
    NLW_CONST(IFA_F_DEPRECATED),
    NLW_CONST(IFA_F_TENTATIVE),
    NLW_CONST(IFA_F_PERMANENT),
    NLW_CONST(IFA_F_MANAGETEMPADDR),
    NLW_CONST(IFA_F_NOPREFIXROUTE),
    NLW_CONST(IFA_F_MCAUTOJOIN),
    NLW_CONST(IFA_F_STABLE_PRIVACY),
    NLW_CONST(IFAPROT_UNSPEC),
    NLW_CONST(IFAPROT_KERNEL_LO),
    NLW_CONST(IFAPROT_KERNEL_RA),
    NLW_CONST(IFAPROT_KERNEL_LL),
});

}  // namespace
}  // namespace nlw
