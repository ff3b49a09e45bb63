// The conntrack operations that match and delete (the facade's retry policy
// decides between them, lib/conntrack.ts):
//   ct.match            dump, then match the built-in filters here on each
//                       flow (flows that do not match never become JS
//                       objects): the matching flows;
//   ct.matchIdentities  the same, but only their identities
//                       (conntrack_identity.h), one record for them all, for
//                       a delete of many flows that builds no flow object;
//   ct.deleteExact      delete the flows named by identities, pipelined
//                       (transact_batch).
// Every delete names the exact flow: its original tuple (with a directional
// tuple zone if any), CTA_ZONE and CTA_ID. The kernel answers ENOENT when the
// id does not match (ctnetlink_del_conntrack), so a flow that reused the
// tuple since the dump is never deleted by mistake.
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <netinet/in.h>

#include <cstring>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "conntrack_filter.h"
#include "conntrack_identity.h"
#include "dump.h"
#include "parse_conntrack.h"
#include "registry.h"
#include "request.h"

namespace nlw {
namespace {

// ct.deleteExact: one record per flow whose delete failed (errnum, code, and
// the flow as its identity names it: tuple, zone, id). `index` is the
// flow's position in the identities. When the deletes stop early (timeout,
// the handle closed, a socket error), one more record says why (`stopped`,
// errnum, code, message); the op still succeeds, with `result` = how many
// were deleted before, so the facade can report that with the error.
// clang-format off
#define CT_OUTCOME_FIELDS(F)                                                  \
  F(index, Num, "") F(errnum, Num, "") F(code, Str, "") F(flow, Obj, "ct_flow") \
  F(stopped, Bool, "") F(message, Str, "")
NLW_SCHEMA(ct_outcome, CT_OUTCOME_FIELDS)
// clang-format on

// ct.matchIdentities: one record, the identities of the matching flows back
// to back (kCtIdentitySize bytes each), for ct.deleteExact as they are.
// clang-format off
#define CT_IDENTITIES_FIELDS(F) F(count, Num, "") F(identities, Bytes, "")
NLW_SCHEMA(ct_identities, CT_IDENTITIES_FIELDS)
// clang-format on

// Not registered as parse.<name>: only the root schemas of these ops.
void parse_nothing(const Message&, RecordSet&) {}
const Parser kOutcome{"conntrackDeleteOutcome", ct_outcome_schema, parse_nothing};
const Parser kIdentities{"conntrackIdentities", ct_identities_schema, parse_nothing};

uint32_t be32(uint32_t v) {
  return htonl(v);
}
uint16_t be16(uint16_t v) {
  return htons(v);
}

// ct.match / ct.matchIdentities { table, family, k*, filters }: ct.dump's
// arguments and the filters (lib/conntrack-wire.ts's encoding).
#define CT_MATCH_ARGS(F) F(filters, Bytes, Req)
NLW_ARGS_EXTEND(CtMatchArgs, CtDumpArgs, CT_DUMP_ARGS, CT_MATCH_ARGS)

// ct.match / ct.matchIdentities: the table's dump (ct.dump's request), each
// flow parsed and matched as its datagram is read (pipelined as any dump). A
// flow listed twice (a dump under churn, interrupted or not) is kept once.
// NLM_F_DUMP_INTR is only reported (Reply.interrupted): whether an
// interrupted match counts is the facade's retry policy.
bool run_match(OpContext& ctx, const CtMatchArgs& args, bool identities) {
  CtFilterSet filters;
  std::string why;
  std::vector<uint8_t> req;
  if (!decode_filters(args.filters.data(), args.filters.size(), &filters, &why) ||
      !build_ct_dump(args, &req, &why)) {
    set_einval(ctx.err, why);
    return false;
  }
  const int table = args.table;
  std::unordered_set<std::string> seen;
  std::string ids;  // identities mode: the matches' identities
  MessageParser match = [&](const Message& m, RecordSet& out) {
    CtFull o;
    if (!parse_ct(m, &o) || *m.err() || o.f.table != table || !filters.match(o.f)) return;
    char id[kCtIdentitySize];
    encode_identity(o.f, reinterpret_cast<uint8_t*>(id));
    if (!seen.emplace(id, kCtIdentitySize).second) return;
    if (identities)
      ids.append(id, kCtIdentitySize);
    else
      emit_flow(o, out);
  };
  if (!transact_and_parse(match, ctx, req)) return false;
  if (identities) {
    Rec r = ctx.out->add(ct_identities_schema());
    r.num(ct_identities_f::count, static_cast<double>(ids.size() / kCtIdentitySize));
    r.bytes(ct_identities_f::identities, reinterpret_cast<const uint8_t*>(ids.data()), ids.size());
  }
  ctx.result = static_cast<double>(seen.size());
  return true;
}

bool run_match_flows(OpContext& ctx, const CtMatchArgs& args) {
  return run_match(ctx, args, false);
}
bool run_match_identities(OpContext& ctx, const CtMatchArgs& args) {
  return run_match(ctx, args, true);
}

const Op kMatch =
    typed_op<CtMatchArgs, run_match_flows>("ct.match", NETLINK_NETFILTER, &kConntrackParser);
Register reg_match(kMatch);
const Op kMatchIdentities = typed_op<CtMatchArgs, run_match_identities>(
    "ct.matchIdentities", NETLINK_NETFILTER, &kIdentities);
Register reg_match_identities(kMatchIdentities);

// One delete request naming exactly one flow (or expectation).
bool build_delete(const CtFlow& f, std::vector<uint8_t>* req, std::string* why) {
  const bool exp = f.table == 2;
  const CtTuple& t = exp ? f.reply : f.orig;
  uint16_t type = exp ? (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_DELETE
                      : (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
  nfgenmsg g{};
  g.nfgen_family = f.family;
  g.version = NFNETLINK_V0;
  RequestBuilder b(type, NLM_F_ACK);
  b.fixed(g);
  size_t tn = b.begin_nest(exp ? uint16_t{CTA_EXPECT_TUPLE} : uint16_t{CTA_TUPLE_ORIG});
  put_ct_ips(b, f.family, t.has_src ? t.src : nullptr, t.has_dst ? t.dst : nullptr);
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
  if (f.has_zone) b.attr_u16(exp ? uint16_t{CTA_EXPECT_ZONE} : uint16_t{CTA_ZONE}, be16(f.zone));
  if (f.has_id) b.attr_u32(exp ? uint16_t{CTA_EXPECT_ID} : uint16_t{CTA_ID}, be32(f.id));
  return b.take(req, why);
}

// Deletes in flight at most: enough to keep the kernel busy, few enough
// that the acknowledgements of one send fit the receive buffer.
constexpr size_t kDeleteWindow = 256;

// ct.deleteExact { table, flows }: `flows` is a run of identities.
#define CT_DELETE_EXACT_ARGS(F) F(table, U8, Req) F(flows, Bytes, Req)
NLW_ARGS(CtDeleteExactArgs, CT_DELETE_EXACT_ARGS)

// The deletes are sent pipelined until the op's deadline and counted into
// ctx.result. Stopping early is reported as a record, not as the op's
// error, so the count of what was deleted reaches the caller.
bool run_delete_exact(OpContext& ctx, const CtDeleteExactArgs& args) {
  const int64_t deadline = now_ms() + ctx.timeout_ms;
  const std::vector<uint8_t>* flows = &args.flows;
  if (flows->size() % kCtIdentitySize != 0 || (args.table != 1 && args.table != 2)) {
    set_einval(ctx.err,
               "ct.deleteExact: flows must be a whole number of identities of table 1 or 2");
    return false;
  }
  const size_t n = flows->size() / kCtIdentitySize;
  const int table = args.table;
  std::vector<CtFlow> named(n);
  std::vector<std::vector<uint8_t>> reqs(n);
  std::string why;
  for (size_t i = 0; i < n; i++) {
    named[i].table = table;
    if (!decode_identity(flows->data() + i * kCtIdentitySize, &named[i], &why) ||
        !build_delete(named[i], &reqs[i], &why)) {
      set_einval(ctx.err, why);
      return false;
    }
  }
  std::vector<int> results(n, 1);
  NlError stop;
  const int64_t left = deadline - now_ms();
  if (n == 0) {
    // Nothing to delete: no deadline to miss.
  } else if (left <= 0) {
    stop.code = "ETIMEDOUT";
    stop.errnum = ETIMEDOUT;
    stop.message = "netlink request timed out";
  } else {
    ctx.sock->transact_batch(reqs, kDeleteWindow, static_cast<int>(left), ctx.cancel, &results,
                             &stop);
  }
  size_t deleted = 0;
  for (size_t i = 0; i < n; i++) {
    const int rc = results[i];
    if (rc == 1) continue;  // never sent, or no answer
    // ENOENT: already gone, which is what the delete wanted.
    if (rc == 0 || rc == -ENOENT) {
      deleted++;
      continue;
    }
    int e = rc < 0 ? -rc : rc;
    CtFull full;
    full.f = named[i];
    size_t flow = emit_flow(full, *ctx.out);
    Rec o = ctx.out->add(ct_outcome_schema());
    o.num(ct_outcome_f::index, static_cast<double>(i));
    o.num(ct_outcome_f::errnum, e);
    o.str(ct_outcome_f::code, errno_name(e));
    o.obj(ct_outcome_f::flow, flow);
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
const Op kDeleteExact =
    typed_op<CtDeleteExactArgs, run_delete_exact>("ct.deleteExact", NETLINK_NETFILTER, &kOutcome);
Register reg_delete_exact(kDeleteExact);

}  // namespace
}  // namespace nlw
