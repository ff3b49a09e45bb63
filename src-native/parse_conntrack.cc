// Conntrack: IPCTNL_MSG_CT_NEW (flows) and IPCTNL_MSG_EXP_NEW (expectations)
// messages (struct nfgenmsg + CTA_* attributes), the ct.dump request, and the
// two delete operations:
//   ct.delete       dump, match the built-in filters here on the parsed
//                   flows (non-matching flows never become JS objects),
//                   then delete the matches pipelined (transact_batch);
//   ct.deleteExact  delete flows the facade chose (custom JS filters), each
//                   named by identity (lib/conntrack-wire.ts).
// Every delete names the exact flow: its original tuple (with a directional
// tuple zone if any), CTA_ZONE and CTA_ID. The kernel answers ENOENT when the
// id does not match (ctnetlink_del_conntrack), so a flow that reused the
// tuple since the dump is never deleted by mistake.
//
// All ctnetlink scalars are big-endian; attributes are walked by type, never
// by position; PAD attributes are skipped by never being asked for.
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
#include <string>
#include <string_view>
#include <unordered_set>

#include "conntrack_filter.h"
#include "family.h"
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

// ct.delete / ct.deleteExact: one record per flow that failed (errnum, code)
// or, in a dry run, per flow that would be deleted. `index` is the flow's
// position in ct.deleteExact's input. When the deletes stop early (timeout,
// the handle closed, a socket error), one more record says why (`stopped`,
// errnum, code, message); the op still succeeds, with `result` = how many
// were deleted before, so the facade can report that with the error.
// clang-format off
#define CT_OUTCOME_FIELDS(F)                                                  \
  F(index, Num, "") F(errnum, Num, "") F(code, Str, "") F(flow, Obj, "ct_flow") \
  F(stopped, Bool, "") F(message, Str, "")
NLW_SCHEMA(ct_outcome, CT_OUTCOME_FIELDS)
// clang-format on

// Everything one message says, before records are written.
struct Counters {
  bool has = false;
  uint64_t bytes = 0, packets = 0;
};
struct ProtoInfo {
  const char* name = nullptr;  // "tcp", "sctp", "dccp"; null absent
  int state = -1;
  int wscale[2] = {-1, -1};
  int flags[2] = {-1, -1};
  int64_t vtag[2] = {-1, -1};
  int role = -1;
  bool has_hseq = false;
  uint64_t hseq = 0;
};
struct CtFull {
  CtFlow f;
  Counters cnt[2];
  bool has_timeout = false, has_use = false, has_tstart = false, has_tstop = false;
  uint32_t timeout = 0, use = 0;
  uint64_t tstart = 0, tstop = 0;
  std::string_view helper, secctx, expect_fn;
  bool has_helper = false, has_secctx = false, has_fn = false;
  ProtoInfo pinfo;
  bool has_mask = false;
  CtTuple mask;
  bool has_eflags = false, has_eclass = false, has_natdir = false, has_nattuple = false;
  uint32_t eflags = 0, eclass = 0, natdir = 0;
  CtTuple nattuple;
};

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

void parse_counters(const Attr& a, Counters* c) {
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

void parse_protoinfo(const Attr& a, ProtoInfo* p) {
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

size_t emit_tuple(const CtTuple& t, int family, const Counters* c, RecordSet& out) {
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

size_t emit_flow(const CtFull& o, RecordSet& out) {
  const CtFlow& f = o.f;
  size_t fwd = emit_tuple(f.orig, f.family, &o.cnt[0], out);
  size_t rev = emit_tuple(f.reply, f.family, &o.cnt[1], out);
  size_t pi = 0, mask = 0, nat = 0;
  if (o.pinfo.name) {
    const ProtoInfo& p = o.pinfo;
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

void parse_conntrack_msg(const Message& m, RecordSet& out) {
  CtFull o;
  if (!parse_ct(m, &o) || *m.err()) return;
  emit_flow(o, out);
}

const Parser kConntrackParser{"conntrack", ct_flow_schema, parse_conntrack_msg};
Register reg_parser(kConntrackParser);

// Not registered as parse.<name>: only the root schema of the delete ops.
void parse_nothing(const Message&, RecordSet&) {}
const Parser kOutcome{"conntrackDeleteOutcome", ct_outcome_schema, parse_nothing};

uint16_t table_of(const Args& args) {
  return static_cast<uint16_t>(args.num("table", 1));
}

uint32_t be32(uint32_t v) {
  return htonl(v);
}
uint16_t be16(uint16_t v) {
  return htons(v);
}

void put_ips(RequestBuilder& b, int family, const uint8_t* src, const uint8_t* dst) {
  size_t n = addr_len(family);
  size_t ip = b.begin_nest(CTA_TUPLE_IP);
  if (src) b.attr(family == AF_INET ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, src, n);
  if (dst) b.attr(family == AF_INET ? CTA_IP_V4_DST : CTA_IP_V6_DST, dst, n);
  b.end_nest(ip);
}

// ct.dump: the table's dump, filtered in the kernel as far as the facade
// decided the running kernel can (k* arguments); the facade checks every
// flow again, so the result is the same either way.
bool build_dump(const Args& args, std::vector<uint8_t>* req, std::string* why) {
  const uint16_t table = table_of(args);
  const int family = static_cast<int>(args.num("family", 0));
  uint16_t type = table == 2 ? (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_GET
                             : (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
  nfgenmsg g{};
  g.nfgen_family = static_cast<uint8_t>(family);
  g.version = NFNETLINK_V0;
  RequestBuilder b(type, NLM_F_DUMP);
  b.fixed(g);
  if (table == 1) {
    if (args.nums.count("kMarkMask")) {
      b.attr_u32(CTA_MARK, be32(static_cast<uint32_t>(args.num("kMark", 0))));
      b.attr_u32(CTA_MARK_MASK, be32(static_cast<uint32_t>(args.num("kMarkMask", 0))));
    }
    if (args.nums.count("kStatusMask")) {
      b.attr_u32(CTA_STATUS, be32(static_cast<uint32_t>(args.num("kStatus", 0))));
      b.attr_u32(CTA_STATUS_MASK, be32(static_cast<uint32_t>(args.num("kStatusMask", 0))));
    }
    if (args.nums.count("kZone"))
      b.attr_u16(CTA_ZONE, be16(static_cast<uint16_t>(args.num("kZone", 0))));
    uint32_t of = static_cast<uint32_t>(args.num("kOrigFlags", 0));
    uint32_t rf = static_cast<uint32_t>(args.num("kReplyFlags", 0));
    if (of || rf) {
      if (family != AF_INET && family != AF_INET6) {
        *why = "CTA_FILTER needs an IPv4 or IPv6 family";
        return false;
      }
      size_t n = addr_len(family);
      auto ipbuf = [&](const char* k) -> const uint8_t* {
        const std::vector<uint8_t>* v = args.buf(k);
        return v && v->size() == n ? v->data() : nullptr;
      };
      size_t fl = b.begin_nest(CTA_FILTER);
      b.attr_u32(CTA_FILTER_ORIG_FLAGS, of);
      b.attr_u32(CTA_FILTER_REPLY_FLAGS, rf);
      b.end_nest(fl);
      if (of) {
        size_t t = b.begin_nest(CTA_TUPLE_ORIG);
        if (of & (kFilterIpSrc | kFilterIpDst)) {
          const uint8_t* s = of & kFilterIpSrc ? ipbuf("kOrigSrc") : nullptr;
          const uint8_t* d = of & kFilterIpDst ? ipbuf("kOrigDst") : nullptr;
          if (((of & kFilterIpSrc) && !s) || ((of & kFilterIpDst) && !d)) {
            *why = "CTA_FILTER address of the wrong length";
            return false;
          }
          put_ips(b, family, s, d);
        }
        if (of & kFilterProtoNum) {
          size_t p = b.begin_nest(CTA_TUPLE_PROTO);
          b.attr_u8(CTA_PROTO_NUM, static_cast<uint8_t>(args.num("kProto", 0)));
          if (of & kFilterSrcPort)
            b.attr_u16(CTA_PROTO_SRC_PORT, be16(static_cast<uint16_t>(args.num("kSport", 0))));
          if (of & kFilterDstPort)
            b.attr_u16(CTA_PROTO_DST_PORT, be16(static_cast<uint16_t>(args.num("kDport", 0))));
          b.end_nest(p);
        }
        b.end_nest(t);
      }
      if (rf) {
        const uint8_t* s = rf & kFilterIpSrc ? ipbuf("kReplySrc") : nullptr;
        const uint8_t* d = rf & kFilterIpDst ? ipbuf("kReplyDst") : nullptr;
        if (((rf & kFilterIpSrc) && !s) || ((rf & kFilterIpDst) && !d)) {
          *why = "CTA_FILTER address of the wrong length";
          return false;
        }
        size_t t = b.begin_nest(CTA_TUPLE_REPLY);
        put_ips(b, family, s, d);
        b.end_nest(t);
      }
    }
  }
  *req = b.take();
  return true;
}
const Op kDump{"ct.dump", NETLINK_NETFILTER, &kConntrackParser, build_dump};
Register reg_dump(kDump);

// One delete request naming exactly one flow (or expectation).
std::vector<uint8_t> build_delete(int table, int family, const CtTuple& t, bool has_zone,
                                  uint16_t zone, bool has_id, uint32_t id) {
  const bool exp = table == 2;
  uint16_t type = exp ? (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_DELETE
                      : (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
  nfgenmsg g{};
  g.nfgen_family = static_cast<uint8_t>(family);
  g.version = NFNETLINK_V0;
  RequestBuilder b(type, NLM_F_ACK);
  b.fixed(g);
  size_t tn = b.begin_nest(exp ? uint16_t{CTA_EXPECT_TUPLE} : uint16_t{CTA_TUPLE_ORIG});
  put_ips(b, family, t.has_src ? t.src : nullptr, t.has_dst ? t.dst : nullptr);
  size_t pn = b.begin_nest(CTA_TUPLE_PROTO);
  if (t.proto >= 0) b.attr_u8(CTA_PROTO_NUM, static_cast<uint8_t>(t.proto));
  if (t.has_sport) b.attr_u16(CTA_PROTO_SRC_PORT, be16(t.sport));
  if (t.has_dport) b.attr_u16(CTA_PROTO_DST_PORT, be16(t.dport));
  const bool v6 = t.proto == IPPROTO_ICMPV6;
  if (t.has_icmp_id) b.attr_u16(v6 ? CTA_PROTO_ICMPV6_ID : CTA_PROTO_ICMP_ID, be16(t.icmp_id));
  if (t.has_icmp_type) b.attr_u8(v6 ? CTA_PROTO_ICMPV6_TYPE : CTA_PROTO_ICMP_TYPE, t.icmp_type);
  if (t.has_icmp_code) b.attr_u8(v6 ? CTA_PROTO_ICMPV6_CODE : CTA_PROTO_ICMP_CODE, t.icmp_code);
  b.end_nest(pn);
  if (t.zone >= 0) b.attr_u16(CTA_TUPLE_ZONE, be16(static_cast<uint16_t>(t.zone)));
  b.end_nest(tn);
  if (has_zone) b.attr_u16(exp ? uint16_t{CTA_EXPECT_ZONE} : uint16_t{CTA_ZONE}, be16(zone));
  if (has_id) b.attr_u32(exp ? uint16_t{CTA_EXPECT_ID} : uint16_t{CTA_ID}, be32(id));
  return b.take();
}

// The identity of a flow in lib/conntrack-wire.ts's layout (52 bytes):
// the tuple a delete names, zone and id. Also the dedup key of ct.delete.
constexpr size_t kIdentSize = 52;
enum IdentFlags : uint16_t {
  kISport = 1,
  kIDport = 2,
  kIIcmpId = 4,
  kIIcmpType = 8,
  kIIcmpCode = 16,
  kITupleZone = 32,
  kIZone = 64,
  kIId = 128,
  kISrc = 256,
  kIDst = 512,
  kIProto = 1024,
};

std::string identity(const CtFlow& f) {
  const CtTuple& t = f.table == 2 ? f.reply : f.orig;
  uint8_t b[kIdentSize] = {};
  uint16_t flags = (t.has_sport ? kISport : 0) | (t.has_dport ? kIDport : 0) |
                   (t.has_icmp_id ? kIIcmpId : 0) | (t.has_icmp_type ? kIIcmpType : 0) |
                   (t.has_icmp_code ? kIIcmpCode : 0) | (t.zone >= 0 ? kITupleZone : 0) |
                   (f.has_zone ? kIZone : 0) | (f.has_id ? kIId : 0) | (t.has_src ? kISrc : 0) |
                   (t.has_dst ? kIDst : 0) | (t.proto >= 0 ? kIProto : 0);
  uint16_t tz = t.zone >= 0 ? static_cast<uint16_t>(t.zone) : 0;
  b[0] = f.family;
  b[1] = static_cast<uint8_t>(t.proto >= 0 ? t.proto : 0);
  std::memcpy(b + 2, &flags, 2);
  std::memcpy(b + 4, &t.sport, 2);
  std::memcpy(b + 6, &t.dport, 2);
  std::memcpy(b + 8, &t.icmp_id, 2);
  b[10] = t.icmp_type;
  b[11] = t.icmp_code;
  std::memcpy(b + 12, &tz, 2);
  std::memcpy(b + 14, &f.zone, 2);
  std::memcpy(b + 16, &f.id, 4);
  std::memcpy(b + 20, t.src, 16);
  std::memcpy(b + 36, t.dst, 16);
  return std::string(reinterpret_cast<const char*>(b), kIdentSize);
}

bool decode_identity(const uint8_t* b, CtFlow* f, std::string* why) {
  uint16_t flags;
  std::memcpy(&flags, b + 2, 2);
  CtTuple t;
  f->family = b[0];
  if (f->family != AF_INET && f->family != AF_INET6) {
    *why = "flow identity with a family that is neither IPv4 nor IPv6";
    return false;
  }
  t.proto = flags & kIProto ? b[1] : -1;
  t.has_sport = flags & kISport;
  t.has_dport = flags & kIDport;
  t.has_icmp_id = flags & kIIcmpId;
  t.has_icmp_type = flags & kIIcmpType;
  t.has_icmp_code = flags & kIIcmpCode;
  t.has_src = flags & kISrc;
  t.has_dst = flags & kIDst;
  std::memcpy(&t.sport, b + 4, 2);
  std::memcpy(&t.dport, b + 6, 2);
  std::memcpy(&t.icmp_id, b + 8, 2);
  t.icmp_type = b[10];
  t.icmp_code = b[11];
  uint16_t tz;
  std::memcpy(&tz, b + 12, 2);
  if (flags & kITupleZone) t.zone = tz;
  f->has_zone = flags & kIZone;
  std::memcpy(&f->zone, b + 14, 2);
  f->has_id = flags & kIId;
  std::memcpy(&f->id, b + 16, 4);
  std::memcpy(t.src, b + 20, 16);
  std::memcpy(t.dst, b + 36, 16);
  if (f->table == 2)
    f->reply = t;
  else
    f->orig = t;
  return true;
}

std::vector<uint8_t> build_delete(const CtFlow& f) {
  return build_delete(f.table, f.family, f.table == 2 ? f.reply : f.orig, f.has_zone, f.zone,
                      f.has_id, f.id);
}

void set_einval(NlError* err, const std::string& why) {
  err->code = "EINVAL";
  err->errnum = EINVAL;
  err->message = why;
}

size_t window_of(const Args& args) {
  double w = args.num("window", 256);
  return w < 1 ? 1 : static_cast<size_t>(w);
}

// Records one failed delete; ENOENT (already gone) is not a failure.
bool note_result(int rc, size_t index, const CtFull* full, RecordSet& out) {
  if (rc == 0 || rc == -ENOENT) return true;
  int e = rc < 0 ? -rc : rc;
  Rec o = out.add(ct_outcome_schema());
  o.num(ct_outcome_f::index, static_cast<double>(index));
  o.num(ct_outcome_f::errnum, e);
  o.str(ct_outcome_f::code, errno_name(e));
  if (full) o.obj(ct_outcome_f::flow, emit_flow(*full, out));
  return false;
}

// Sends the deletes pipelined until `deadline` (the whole op's) and counts
// them into ctx.result. Stopping early is reported as a record, not as the
// op's error, so the count of what was deleted reaches the caller.
bool send_deletes(OpContext& ctx, const std::vector<std::vector<uint8_t>>& reqs, int64_t deadline,
                  const std::vector<CtFull>* matched) {
  std::vector<int> results(reqs.size(), 1);
  NlError stop;
  const int64_t left = deadline - now_ms();
  if (reqs.empty()) {
    // Nothing to delete: no deadline to miss.
  } else if (left <= 0) {
    stop.code = "ETIMEDOUT";
    stop.errnum = ETIMEDOUT;
    stop.message = "netlink request timed out";
  } else {
    ctx.sock->transact_batch(reqs, window_of(ctx.args), static_cast<int>(left), ctx.cancel,
                             &results, &stop);
  }
  size_t deleted = 0;
  for (size_t i = 0; i < results.size(); i++) {
    if (results[i] == 1) continue;  // never sent, or no answer
    if (note_result(results[i], i, matched ? &(*matched)[i] : nullptr, *ctx.out)) deleted++;
  }
  ctx.result = static_cast<double>(deleted);
  if (stop.set()) {
    Rec o = ctx.out->add(ct_outcome_schema());
    o.boolean(ct_outcome_f::stopped, true);
    o.num(ct_outcome_f::errnum, stop.errnum);
    o.str(ct_outcome_f::code, stop.code);
    o.str(ct_outcome_f::message, stop.message);
  }
  return true;
}

// ct.delete { table, family, filters, force, dryRun, window, k* }: see the
// file comment. An interrupted dump deletes nothing unless `force` (the
// facade's last attempt), so a retried call never deletes or counts twice.
bool run_delete(OpContext& ctx) {
  // One deadline for the dump, the matching and the deletes.
  const int64_t deadline = now_ms() + ctx.timeout_ms;
  CtFilterSet filters;
  std::string why;
  const std::vector<uint8_t>* spec = ctx.args.buf("filters");
  if (!spec || !decode_filters(spec->data(), spec->size(), &filters, &why)) {
    set_einval(ctx.err, why.empty() ? "ct.delete needs filters" : why);
    return false;
  }
  std::vector<uint8_t> req;
  if (!build_dump(ctx.args, &req, &why)) {
    set_einval(ctx.err, why);
    return false;
  }
  if (!ctx.sock->transact(req, ctx.timeout_ms, ctx.cancel, &ctx.reply, ctx.err)) return false;
  if (ctx.reply.interrupted && ctx.args.num("force", 0) == 0) return true;

  // Match everything first: a malformed message aborts before any delete.
  std::vector<CtFull> matched;
  std::unordered_set<std::string> seen;
  ParseError pe;
  const uint16_t table = table_of(ctx.args);
  for_each_message(ctx.reply.data.data(), ctx.reply.data.size(), &pe, [&](const Message& m) {
    CtFull o;
    if (!parse_ct(m, &o) || pe || o.f.table != table) return !pe;
    // An interrupted dump may repeat a flow: delete it once.
    if (filters.match(o.f) && seen.insert(identity(o.f)).second) matched.push_back(o);
    return true;
  });
  if (pe) {
    ctx.err->code = "EBADMSG";
    ctx.err->errnum = EBADMSG;
    ctx.err->message = std::string("malformed netlink message: ") + pe.what;
    return false;
  }
  if (ctx.args.num("dryRun", 0) != 0) {
    for (size_t i = 0; i < matched.size(); i++) {
      Rec o = ctx.out->add(ct_outcome_schema());
      o.num(ct_outcome_f::index, static_cast<double>(i));
      o.obj(ct_outcome_f::flow, emit_flow(matched[i], *ctx.out));
    }
    ctx.result = static_cast<double>(matched.size());
    return true;
  }
  std::vector<std::vector<uint8_t>> reqs;
  reqs.reserve(matched.size());
  for (const CtFull& o : matched) reqs.push_back(build_delete(o.f));
  return send_deletes(ctx, reqs, deadline, &matched);
}
const Op kDelete{"ct.delete", NETLINK_NETFILTER, &kOutcome, nullptr, run_delete};
Register reg_delete(kDelete);

// ct.deleteExact { table, flows, window }: `flows` is a run of identities.
bool run_delete_exact(OpContext& ctx) {
  const int64_t deadline = now_ms() + ctx.timeout_ms;
  const std::vector<uint8_t>* flows = ctx.args.buf("flows");
  if (!flows || flows->size() % kIdentSize != 0) {
    set_einval(ctx.err, "ct.deleteExact: flows must be a whole number of identities");
    return false;
  }
  const size_t n = flows->size() / kIdentSize;
  std::vector<std::vector<uint8_t>> reqs;
  reqs.reserve(n);
  std::string why;
  for (size_t i = 0; i < n; i++) {
    CtFlow f;
    f.table = table_of(ctx.args);
    if (!decode_identity(flows->data() + i * kIdentSize, &f, &why)) {
      set_einval(ctx.err, why);
      return false;
    }
    reqs.push_back(build_delete(f));
  }
  return send_deletes(ctx, reqs, deadline, nullptr);
}
const Op kDeleteExact{"ct.deleteExact", NETLINK_NETFILTER, &kOutcome, nullptr, run_delete_exact};
Register reg_delete_exact(kDeleteExact);

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
