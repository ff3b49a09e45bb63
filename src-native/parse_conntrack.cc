// Conntrack: IPCTNL_MSG_CT_NEW (flows) and IPCTNL_MSG_EXP_NEW (expectations)
// messages (struct nfgenmsg + CTA_* attributes) as ct_flow records, and the
// ct.dump request. The operations that match and delete flows are in
// conntrack_ops.cc, the identity a delete names in conntrack_identity.cc.
//
// All ctnetlink scalars are big-endian; attributes are walked by type, never
// by position; PAD attributes are skipped by never being asked for.
#include "parse_conntrack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_sctp.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <netinet/in.h>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "dump.h"
#include "inet.h"

namespace nlw {
namespace {

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

// The kernel's CTA_FILTER flag bits (net/netfilter/nf_conntrack_netlink.c,
// enum of CTA_FILTER_F_*; not in the uapi headers).
constexpr uint32_t kFilterIpSrc = 1u << 0;
constexpr uint32_t kFilterIpDst = 1u << 1;
constexpr uint32_t kFilterProtoNum = 1u << 3;
constexpr uint32_t kFilterSrcPort = 1u << 4;
constexpr uint32_t kFilterDstPort = 1u << 5;

uint32_t be32(uint32_t v) {
  return htonl(v);
}
uint16_t be16(uint16_t v) {
  return htons(v);
}

// clang-format off
#define CT_TUPLE_FIELDS(F)                                                    \
  F(srcIp, Str, "") F(dstIp, Str, "") F(protocol, Num, "")                   \
  F(srcPort, Num, "") F(dstPort, Num, "") F(icmpType, Num, "")               \
  F(icmpCode, Num, "") F(icmpId, Num, "") F(zone, Num, "")                   \
  F(bytes, BigInt, "") F(packets, BigInt, "")
NLW_SCHEMA(ct_tuple, CT_TUPLE_FIELDS)
// clang-format on

// clang-format off
#define CT_PROTOINFO_FIELDS(F)                                                \
  F(protocol, Str, "") F(state, Num, "") F(wscaleOriginal, Num, "")          \
  F(wscaleReply, Num, "") F(flagsOriginal, Num, "") F(flagsReply, Num, "")   \
  F(vtagOriginal, Num, "") F(vtagReply, Num, "") F(role, Num, "")            \
  F(handshakeSeq, BigInt, "")
NLW_SCHEMA(ct_protoinfo, CT_PROTOINFO_FIELDS)
// clang-format on

// clang-format off
#define CT_FLOW_FIELDS(F)                                                     \
  F(familyType, Num, "") F(forward, Obj, "ct_tuple")                         \
  F(reverse, Obj, "ct_tuple") F(mark, Num, "") F(zone, Num, "")              \
  F(status, Num, "") F(timeOut, Num, "") F(timeStart, BigInt, "")            \
  F(timeStop, BigInt, "") F(labels, Bytes, "") F(use, Num, "")               \
  F(id, Num, "") F(protoInfo, Obj, "ct_protoinfo") F(helper, Str, "")        \
  F(secCtx, Str, "") F(expectMask, Obj, "ct_tuple")                          \
  F(expectFlags, Num, "") F(expectClass, Num, "") F(expectFn, Str, "")       \
  F(expectNatDir, Num, "") F(expectNatTuple, Obj, "ct_tuple")
NLW_SCHEMA(ct_flow, CT_FLOW_FIELDS)
// clang-format on

void read_ip(const Attr& a, size_t n, uint8_t* out, bool* has) {
  if (a.len() < n) {
    a.err()->fail("CTA_IP address shorter than its family");
    return;
  }
  std::memcpy(out, a.data(), n);
  *has = true;
}

void parse_tuple(const Attr& t, int family, CtTuple* out) {
  for (const Attr& a : Attrs(t)) {
    switch (a.type()) {
      case CTA_TUPLE_IP:
        for (const Attr& ip : Attrs(a)) {
          // The message's family decides which attributes are addresses.
          if (family == AF_INET && ip.type() == CTA_IP_V4_SRC)
            read_ip(ip, 4, out->src, &out->has_src);
          else if (family == AF_INET && ip.type() == CTA_IP_V4_DST)
            read_ip(ip, 4, out->dst, &out->has_dst);
          else if (family == AF_INET6 && ip.type() == CTA_IP_V6_SRC)
            read_ip(ip, 16, out->src, &out->has_src);
          else if (family == AF_INET6 && ip.type() == CTA_IP_V6_DST)
            read_ip(ip, 16, out->dst, &out->has_dst);
        }
        break;
      case CTA_TUPLE_PROTO:
        for (const Attr& p : Attrs(a)) {
          switch (p.type()) {
            case CTA_PROTO_NUM: out->proto = p.u8(); break;
            case CTA_PROTO_SRC_PORT:
              out->sport = p.be16();
              out->has_sport = true;
              break;
            case CTA_PROTO_DST_PORT:
              out->dport = p.be16();
              out->has_dport = true;
              break;
            case CTA_PROTO_ICMP_ID:
            case CTA_PROTO_ICMPV6_ID:
              out->icmp_id = p.be16();
              out->has_icmp_id = true;
              break;
            case CTA_PROTO_ICMP_TYPE:
            case CTA_PROTO_ICMPV6_TYPE:
              out->icmp_type = p.u8();
              out->has_icmp_type = true;
              break;
            case CTA_PROTO_ICMP_CODE:
            case CTA_PROTO_ICMPV6_CODE:
              out->icmp_code = p.u8();
              out->has_icmp_code = true;
              break;
          }
        }
        break;
      case CTA_TUPLE_ZONE: out->zone = a.be16(); break;
    }
  }
}

void parse_counters(const Attr& a, CtCounters* c) {
  for (const Attr& x : Attrs(a)) {
    switch (x.type()) {
      case CTA_COUNTERS_PACKETS:
        c->packets = x.be64();
        c->has = true;
        break;
      case CTA_COUNTERS_BYTES:
        c->bytes = x.be64();
        c->has = true;
        break;
      case CTA_COUNTERS32_PACKETS:
        c->packets = x.be32();
        c->has = true;
        break;
      case CTA_COUNTERS32_BYTES:
        c->bytes = x.be32();
        c->has = true;
        break;
    }
  }
}

void parse_protoinfo(const Attr& a, CtProtoInfo* p) {
  for (const Attr& x : Attrs(a)) {
    switch (x.type()) {
      case CTA_PROTOINFO_TCP:
        p->name = "tcp";
        for (const Attr& t : Attrs(x)) {
          switch (t.type()) {
            case CTA_PROTOINFO_TCP_STATE: p->state = t.u8(); break;
            case CTA_PROTOINFO_TCP_WSCALE_ORIGINAL: p->wscale[0] = t.u8(); break;
            case CTA_PROTOINFO_TCP_WSCALE_REPLY: p->wscale[1] = t.u8(); break;
            case CTA_PROTOINFO_TCP_FLAGS_ORIGINAL: {
              nf_ct_tcp_flags fl;
              if (t.get(&fl)) p->flags[0] = fl.flags;
              break;
            }
            case CTA_PROTOINFO_TCP_FLAGS_REPLY: {
              nf_ct_tcp_flags fl;
              if (t.get(&fl)) p->flags[1] = fl.flags;
              break;
            }
          }
        }
        break;
      case CTA_PROTOINFO_SCTP:
        p->name = "sctp";
        for (const Attr& t : Attrs(x)) {
          switch (t.type()) {
            case CTA_PROTOINFO_SCTP_STATE: p->state = t.u8(); break;
            case CTA_PROTOINFO_SCTP_VTAG_ORIGINAL: p->vtag[0] = t.be32(); break;
            case CTA_PROTOINFO_SCTP_VTAG_REPLY: p->vtag[1] = t.be32(); break;
          }
        }
        break;
      case CTA_PROTOINFO_DCCP:
        p->name = "dccp";
        for (const Attr& t : Attrs(x)) {
          switch (t.type()) {
            case CTA_PROTOINFO_DCCP_STATE: p->state = t.u8(); break;
            case CTA_PROTOINFO_DCCP_ROLE: p->role = t.u8(); break;
            case CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ:
              p->hseq = t.be64();
              p->has_hseq = true;
              break;
          }
        }
        break;
    }
  }
}

std::string_view nested_name(const Attr& a, uint16_t type) {
  for (const Attr& x : Attrs(a))
    if (x.type() == type) return x.str();
  return {};
}

void parse_ct_attrs(const Message& m, size_t hdr, CtFull* o) {
  CtFlow& f = o->f;
  for (const Attr& a : m.attrs(hdr)) {
    switch (a.type()) {
      case CTA_TUPLE_ORIG: parse_tuple(a, f.family, &f.orig); break;
      case CTA_TUPLE_REPLY: parse_tuple(a, f.family, &f.reply); break;
      case CTA_STATUS:
        f.status = a.be32();
        f.has_status = true;
        break;
      case CTA_PROTOINFO: parse_protoinfo(a, &o->pinfo); break;
      case CTA_HELP:
        o->helper = nested_name(a, CTA_HELP_NAME);
        o->has_helper = true;
        break;
      case CTA_TIMEOUT:
        o->timeout = a.be32();
        o->has_timeout = true;
        break;
      case CTA_MARK:
        f.mark = a.be32();
        f.has_mark = true;
        break;
      case CTA_COUNTERS_ORIG: parse_counters(a, &o->cnt[0]); break;
      case CTA_COUNTERS_REPLY: parse_counters(a, &o->cnt[1]); break;
      case CTA_USE:
        o->use = a.be32();
        o->has_use = true;
        break;
      case CTA_ID:
        f.id = a.be32();
        f.has_id = true;
        break;
      case CTA_ZONE:
        f.zone = a.be16();
        f.has_zone = true;
        break;
      case CTA_SECCTX:
        o->secctx = nested_name(a, CTA_SECCTX_NAME);
        o->has_secctx = true;
        break;
      case CTA_TIMESTAMP:
        for (const Attr& t : Attrs(a)) {
          if (t.type() == CTA_TIMESTAMP_START) {
            o->tstart = t.be64();
            o->has_tstart = true;
          } else if (t.type() == CTA_TIMESTAMP_STOP) {
            o->tstop = t.be64();
            o->has_tstop = true;
          }
        }
        break;
      case CTA_LABELS:
        f.labels = a.data();
        f.labels_len = a.len();
        break;
    }
  }
}

void parse_exp_attrs(const Message& m, size_t hdr, CtFull* o) {
  CtFlow& f = o->f;
  for (const Attr& a : m.attrs(hdr)) {
    switch (a.type()) {
      case CTA_EXPECT_MASTER: parse_tuple(a, f.family, &f.orig); break;
      case CTA_EXPECT_TUPLE: parse_tuple(a, f.family, &f.reply); break;
      case CTA_EXPECT_MASK:
        parse_tuple(a, f.family, &o->mask);
        o->has_mask = true;
        break;
      case CTA_EXPECT_TIMEOUT:
        o->timeout = a.be32();
        o->has_timeout = true;
        break;
      case CTA_EXPECT_ID:
        f.id = a.be32();
        f.has_id = true;
        break;
      case CTA_EXPECT_HELP_NAME:
        o->helper = a.str();
        o->has_helper = true;
        break;
      case CTA_EXPECT_ZONE:
        f.zone = a.be16();
        f.has_zone = true;
        break;
      case CTA_EXPECT_FLAGS:
        o->eflags = a.be32();
        o->has_eflags = true;
        break;
      case CTA_EXPECT_CLASS:
        o->eclass = a.be32();
        o->has_eclass = true;
        break;
      case CTA_EXPECT_FN:
        o->expect_fn = a.str();
        o->has_fn = true;
        break;
      case CTA_EXPECT_NAT:
        for (const Attr& n : Attrs(a)) {
          if (n.type() == CTA_EXPECT_NAT_DIR) {
            o->natdir = n.be32();
            o->has_natdir = true;
          } else if (n.type() == CTA_EXPECT_NAT_TUPLE) {
            parse_tuple(n, f.family, &o->nattuple);
            o->has_nattuple = true;
          }
        }
        break;
    }
  }
}

size_t emit_tuple(const CtTuple& t, int family, const CtCounters* c, RecordSet& out);

void parse_conntrack_msg(const Message& m, RecordSet& out) {
  CtFull o;
  if (!parse_ct(m, &o) || *m.err()) return;
  emit_flow(o, out);
}

}  // namespace

// Parses a flow or expectation message; false for any other message.
// IPCTNL_MSG_CT_DELETE / IPCTNL_MSG_EXP_DELETE carry the same attributes:
// the kernel sends them as destroy events (events_conntrack.cc).
bool parse_ct(const Message& m, CtFull* o) {
  const uint16_t subsys = m.type() >> 8, msg = m.type() & 0xff;
  const bool ct =
      subsys == NFNL_SUBSYS_CTNETLINK && (msg == IPCTNL_MSG_CT_NEW || msg == IPCTNL_MSG_CT_DELETE);
  const bool exp = subsys == NFNL_SUBSYS_CTNETLINK_EXP &&
                   (msg == IPCTNL_MSG_EXP_NEW || msg == IPCTNL_MSG_EXP_DELETE);
  if (!ct && !exp) return false;
  nfgenmsg g;
  if (!m.header(&g)) return false;
  o->f.table = ct ? 1 : 2;
  o->f.family = g.nfgen_family;
  if (ct)
    parse_ct_attrs(m, sizeof g, o);
  else
    parse_exp_attrs(m, sizeof g, o);
  return true;
}

namespace {
size_t emit_tuple(const CtTuple& t, int family, const CtCounters* c, RecordSet& out) {
  Rec r = out.add(ct_tuple_schema());
  namespace k = ct_tuple_f;
  size_t n = addr_len(family);
  if (t.has_src) r.str(k::srcIp, ip_string(family, t.src, n));
  if (t.has_dst) r.str(k::dstIp, ip_string(family, t.dst, n));
  if (t.proto >= 0) r.num(k::protocol, t.proto);
  if (t.has_sport) r.num(k::srcPort, t.sport);
  if (t.has_dport) r.num(k::dstPort, t.dport);
  if (t.has_icmp_type) r.num(k::icmpType, t.icmp_type);
  if (t.has_icmp_code) r.num(k::icmpCode, t.icmp_code);
  if (t.has_icmp_id) r.num(k::icmpId, t.icmp_id);
  if (t.zone >= 0) r.num(k::zone, t.zone);
  if (c && c->has) {
    r.big(k::bytes, c->bytes);
    r.big(k::packets, c->packets);
  }
  return r.index();
}
}  // namespace

size_t emit_flow(const CtFull& o, RecordSet& out) {
  const CtFlow& f = o.f;
  size_t fwd = emit_tuple(f.orig, f.family, &o.cnt[0], out);
  size_t rev = emit_tuple(f.reply, f.family, &o.cnt[1], out);
  size_t pi = 0, mask = 0, nat = 0;
  if (o.pinfo.name) {
    const CtProtoInfo& p = o.pinfo;
    Rec r = out.add(ct_protoinfo_schema());
    namespace k = ct_protoinfo_f;
    r.str(k::protocol, p.name);
    if (p.state >= 0) r.num(k::state, p.state);
    if (p.wscale[0] >= 0) r.num(k::wscaleOriginal, p.wscale[0]);
    if (p.wscale[1] >= 0) r.num(k::wscaleReply, p.wscale[1]);
    if (p.flags[0] >= 0) r.num(k::flagsOriginal, p.flags[0]);
    if (p.flags[1] >= 0) r.num(k::flagsReply, p.flags[1]);
    if (p.vtag[0] >= 0) r.num(k::vtagOriginal, static_cast<double>(p.vtag[0]));
    if (p.vtag[1] >= 0) r.num(k::vtagReply, static_cast<double>(p.vtag[1]));
    if (p.role >= 0) r.num(k::role, p.role);
    if (p.has_hseq) r.big(k::handshakeSeq, p.hseq);
    pi = r.index();
  }
  if (o.has_mask) mask = emit_tuple(o.mask, f.family, nullptr, out);
  if (o.has_nattuple) nat = emit_tuple(o.nattuple, f.family, nullptr, out);

  Rec r = out.add(ct_flow_schema());
  namespace k = ct_flow_f;
  r.num(k::familyType, f.family);
  r.obj(k::forward, fwd);
  r.obj(k::reverse, rev);
  if (f.has_mark) r.num(k::mark, f.mark);
  // The kernel leaves CTA_ZONE out for the default zone: that is zone 0.
  r.num(k::zone, f.has_zone ? f.zone : 0);
  if (f.has_status) r.num(k::status, f.status);
  if (o.has_timeout) r.num(k::timeOut, o.timeout);
  if (o.has_tstart) r.big(k::timeStart, o.tstart);
  if (o.has_tstop) r.big(k::timeStop, o.tstop);
  if (f.labels) r.bytes(k::labels, f.labels, f.labels_len);
  if (o.has_use) r.num(k::use, o.use);
  if (f.has_id) r.num(k::id, f.id);
  if (o.pinfo.name) r.obj(k::protoInfo, pi);
  if (o.has_helper) r.str(k::helper, o.helper);
  if (o.has_secctx) r.str(k::secCtx, o.secctx);
  if (o.has_mask) r.obj(k::expectMask, mask);
  if (o.has_eflags) r.num(k::expectFlags, o.eflags);
  if (o.has_eclass) r.num(k::expectClass, o.eclass);
  if (o.has_fn) r.str(k::expectFn, o.expect_fn);
  if (o.has_natdir) r.num(k::expectNatDir, o.natdir);
  if (o.has_nattuple) r.obj(k::expectNatTuple, nat);
  return r.index();
}

const Parser kConntrackParser{"conntrack", ct_flow_schema, parse_conntrack_msg};

void put_ct_ips(RequestBuilder& b, int family, const uint8_t* src, const uint8_t* dst) {
  size_t n = addr_len(family);
  size_t ip = b.begin_nest(CTA_TUPLE_IP);
  if (src) b.attr(family == AF_INET ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, src, n);
  if (dst) b.attr(family == AF_INET ? CTA_IP_V4_DST : CTA_IP_V6_DST, dst, n);
  b.end_nest(ip);
}

// ct.dump: the table's dump, filtered in the kernel as far as the facade
// decided the running kernel can (k* arguments); every flow is matched
// again (ct.match natively, conntrackDeleteFilters' custom filters in JS),
// so the result is the same either way.
NLW_ARGS_SPEC(CtDumpArgs, CT_DUMP_ARGS)

bool build_ct_dump(const CtDumpArgs& a, std::vector<uint8_t>* req, std::string* why) {
  if (a.table != 1 && a.table != 2) {
    *why = "table must be 1 (flows) or 2 (expectations)";
    return false;
  }
  uint16_t type = a.table == 2 ? (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_GET
                               : (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
  nfgenmsg g{};
  g.nfgen_family = a.family;
  g.version = NFNETLINK_V0;
  RequestBuilder b(type, NLM_F_DUMP);
  b.fixed(g);
  const uint32_t of = a.kOrigFlags.value_or(0), rf = a.kReplyFlags.value_or(0);
  const bool any_k = a.kMark || a.kMarkMask || a.kStatus || a.kStatusMask || a.kZone || of || rf;
  if (a.table == 2 && any_k) {
    *why = "kernel-side filters are for the conntrack table only";
    return false;
  }
  if (a.kMark.has_value() != a.kMarkMask.has_value() ||
      a.kStatus.has_value() != a.kStatusMask.has_value()) {
    *why = "kMark and kMarkMask, kStatus and kStatusMask go together";
    return false;
  }
  if (a.kMark) {
    b.attr_u32(CTA_MARK, be32(*a.kMark));
    b.attr_u32(CTA_MARK_MASK, be32(*a.kMarkMask));
  }
  if (a.kStatus) {
    b.attr_u32(CTA_STATUS, be32(*a.kStatus));
    b.attr_u32(CTA_STATUS_MASK, be32(*a.kStatusMask));
  }
  if (a.kZone) b.attr_u16(CTA_ZONE, be16(*a.kZone));
  if (of || rf) {
    if (a.family != AF_INET && a.family != AF_INET6) {
      *why = "CTA_FILTER needs an IPv4 or IPv6 family";
      return false;
    }
    const size_t n = addr_len(a.family);
    // The address a flag bit asks for: present and of the family's length.
    bool bad = false;
    auto ip = [&](uint32_t flags, uint32_t bit, const std::optional<std::vector<uint8_t>>& v) {
      if (!(flags & bit)) return static_cast<const uint8_t*>(nullptr);
      if (!v || v->size() != n) {
        bad = true;
        return static_cast<const uint8_t*>(nullptr);
      }
      return v->data();
    };
    const uint8_t* os = ip(of, kFilterIpSrc, a.kOrigSrc);
    const uint8_t* od = ip(of, kFilterIpDst, a.kOrigDst);
    const uint8_t* rs = ip(rf, kFilterIpSrc, a.kReplySrc);
    const uint8_t* rd = ip(rf, kFilterIpDst, a.kReplyDst);
    if (bad) {
      *why = "CTA_FILTER address missing or of the wrong length";
      return false;
    }
    if (((of & kFilterProtoNum) && !a.kProto) || ((of & kFilterSrcPort) && !a.kSport) ||
        ((of & kFilterDstPort) && !a.kDport)) {
      *why = "CTA_FILTER flag without its value";
      return false;
    }
    size_t fl = b.begin_nest(CTA_FILTER);
    b.attr_u32(CTA_FILTER_ORIG_FLAGS, of);
    b.attr_u32(CTA_FILTER_REPLY_FLAGS, rf);
    b.end_nest(fl);
    if (of) {
      size_t t = b.begin_nest(CTA_TUPLE_ORIG);
      if (os || od) put_ct_ips(b, a.family, os, od);
      if (of & kFilterProtoNum) {
        size_t p = b.begin_nest(CTA_TUPLE_PROTO);
        b.attr_u8(CTA_PROTO_NUM, *a.kProto);
        if (of & kFilterSrcPort) b.attr_u16(CTA_PROTO_SRC_PORT, be16(*a.kSport));
        if (of & kFilterDstPort) b.attr_u16(CTA_PROTO_DST_PORT, be16(*a.kDport));
        b.end_nest(p);
      }
      b.end_nest(t);
    }
    if (rf) {
      size_t t = b.begin_nest(CTA_TUPLE_REPLY);
      put_ct_ips(b, a.family, rs, rd);
      b.end_nest(t);
    }
  }
  return b.take(req, why);
}

namespace {

Register reg_parser(kConntrackParser);
const Op kDump = typed_op<CtDumpArgs, run_request<CtDumpArgs, build_ct_dump>>(
    "ct.dump", NETLINK_NETFILTER, &kConntrackParser);
Register reg_dump(kDump);

Register reg_constants({
    NLW_CONST(IPCTNL_MSG_CT_NEW),
    NLW_CONST(IPCTNL_MSG_CT_DELETE),
    NLW_CONST(IPCTNL_MSG_EXP_NEW),
    NLW_CONST(IPCTNL_MSG_EXP_DELETE),
    NLW_CONST(NFNL_SUBSYS_CTNETLINK),
    NLW_CONST(NFNL_SUBSYS_CTNETLINK_EXP),
    NLW_CONST(IPS_EXPECTED),
    NLW_CONST(IPS_SEEN_REPLY),
    NLW_CONST(IPS_ASSURED),
    NLW_CONST(IPS_CONFIRMED),
    NLW_CONST(IPS_SRC_NAT),
    NLW_CONST(IPS_DST_NAT),
    NLW_CONST(IPS_SEQ_ADJUST),
    NLW_CONST(IPS_SRC_NAT_DONE),
    NLW_CONST(IPS_DST_NAT_DONE),
    NLW_CONST(IPS_DYING),
    NLW_CONST(IPS_FIXED_TIMEOUT),
    NLW_CONST(IPS_TEMPLATE),
    NLW_CONST(IPS_UNTRACKED),
    NLW_CONST(IPS_HELPER),
    NLW_CONST(IPS_OFFLOAD),
    NLW_CONST(IPS_HW_OFFLOAD),
    NLW_CONST(TCP_CONNTRACK_NONE),
    NLW_CONST(TCP_CONNTRACK_SYN_SENT),
    NLW_CONST(TCP_CONNTRACK_SYN_RECV),
    NLW_CONST(TCP_CONNTRACK_ESTABLISHED),
    NLW_CONST(TCP_CONNTRACK_FIN_WAIT),
    NLW_CONST(TCP_CONNTRACK_CLOSE_WAIT),
    NLW_CONST(TCP_CONNTRACK_LAST_ACK),
    NLW_CONST(TCP_CONNTRACK_TIME_WAIT),
    NLW_CONST(TCP_CONNTRACK_CLOSE),
    NLW_CONST(TCP_CONNTRACK_SYN_SENT2),
    NLW_CONST(SCTP_CONNTRACK_NONE),
    NLW_CONST(SCTP_CONNTRACK_CLOSED),
    NLW_CONST(SCTP_CONNTRACK_COOKIE_WAIT),
    NLW_CONST(SCTP_CONNTRACK_COOKIE_ECHOED),
    NLW_CONST(SCTP_CONNTRACK_ESTABLISHED),
    NLW_CONST(SCTP_CONNTRACK_SHUTDOWN_SENT),
    NLW_CONST(SCTP_CONNTRACK_SHUTDOWN_RECD),
    NLW_CONST(SCTP_CONNTRACK_SHUTDOWN_ACK_SENT),
    NLW_CONST(SCTP_CONNTRACK_HEARTBEAT_SENT),
    NLW_CONST(NF_CT_EXPECT_PERMANENT),
    NLW_CONST(NF_CT_EXPECT_INACTIVE),
    NLW_CONST(NF_CT_EXPECT_USERSPACE),
    NLW_CONST(IPPROTO_ICMP),
    NLW_CONST(IPPROTO_TCP),
    NLW_CONST(IPPROTO_UDP),
    NLW_CONST(IPPROTO_DCCP),
    NLW_CONST(IPPROTO_GRE),
    NLW_CONST(IPPROTO_ICMPV6),
    NLW_CONST(IPPROTO_SCTP),
    NLW_CONST(IPPROTO_UDPLITE),
});

}  // namespace

bool read_ct_flow(const Message& m, CtFlow* out) {
  CtFull o;
  if (!parse_ct(m, &o)) return false;
  *out = o.f;
  return true;
}

}  // namespace nlw
