// Conntrack messages as the other conntrack files use them: one CT_NEW /
// EXP_NEW message parsed (parse_ct) and written as records (emit_flow), the
// table's dump request, and the address attributes every request carries.
// parse_conntrack.cc has the parser and ct.dump; conntrack_ops.cc the
// operations that match and delete.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "args.h"
#include "conntrack_flow.h"
#include "record.h"
#include "registry.h"
#include "request.h"

namespace nlw {

// Everything one message says, before records are written.
struct CtCounters {
  bool has = false;
  uint64_t bytes = 0, packets = 0;
};
struct CtProtoInfo {
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
  CtCounters cnt[2];
  bool has_timeout = false, has_use = false, has_tstart = false, has_tstop = false;
  uint32_t timeout = 0, use = 0;
  uint64_t tstart = 0, tstop = 0;
  std::string_view helper, secctx, expect_fn;
  bool has_helper = false, has_secctx = false, has_fn = false;
  CtProtoInfo pinfo;
  bool has_mask = false;
  CtTuple mask;
  bool has_eflags = false, has_eclass = false, has_natdir = false, has_nattuple = false;
  uint32_t eflags = 0, eclass = 0, natdir = 0;
  CtTuple nattuple;
};

// Parses a flow or expectation message; false for any other message.
// Problems with the bytes go to m.err().
bool parse_ct(const Message& m, CtFull* o);

// Writes `o` as a ct_flow record (with its tuples and protocol info) and
// returns its index.
size_t emit_flow(const CtFull& o, RecordSet& out);

// parse.conntrack and the root of ct.dump / ct.match: ct_flow records.
extern const Parser kConntrackParser;

// ct.dump's arguments (ct.match's extend them): the table (1 flows, 2
// expectations), the family (0 all), and the kernel-side filters the facade
// chose (lib/conntrack-wire.ts, kernelFilterArgs): mark and status with
// their masks, zone, and CTA_FILTER's flags with the values they name.
// clang-format off
#define CT_DUMP_ARGS(F)                                                          \
  F(table, U8, Req) F(family, U8, Req)                                           \
  F(kMark, U32, Opt) F(kMarkMask, U32, Opt) F(kStatus, U32, Opt)                 \
  F(kStatusMask, U32, Opt) F(kZone, U16, Opt)                                    \
  F(kOrigFlags, U32, Opt) F(kReplyFlags, U32, Opt)                               \
  F(kOrigSrc, Bytes, Opt) F(kOrigDst, Bytes, Opt)                                \
  F(kReplySrc, Bytes, Opt) F(kReplyDst, Bytes, Opt)                              \
  F(kProto, U8, Opt) F(kSport, U16, Opt) F(kDport, U16, Opt)
NLW_ARGS_STRUCT(CtDumpArgs, CT_DUMP_ARGS)
// clang-format on

// The dump request of ct.dump (and of ct.match).
bool build_ct_dump(const CtDumpArgs& args, std::vector<uint8_t>* req, std::string* why);

// A CTA_TUPLE_IP nest with the addresses present (null: left out).
void put_ct_ips(RequestBuilder& b, int family, const uint8_t* src, const uint8_t* dst);

}  // namespace nlw
