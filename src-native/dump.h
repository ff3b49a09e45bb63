// The dump loop: one request sent, its reply parsed as it arrives.
//
// The socket core (socket.cc) has already handled every control message of
// the reply: NLMSG_DONE ends it, NLMSG_ERROR becomes the error, NOOP and
// stale messages are dropped and NLM_F_DUMP_INTR is latched in the Reply.
// What reaches the parsers here is data messages only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "registry.h"
#include "socket.h"

namespace nlw {

class AddonThreads;

// Everything an operation gets while it runs on a worker thread.
struct OpContext {
  const Op* op;
  NetlinkSocket* sock;
  const ArgsValue& args;
  int timeout_ms;
  CancelFds cancel;
  RecordSet* out;
  Reply reply;
  NlError* err;
  double result = 0;  // an op's scalar answer (e.g. flows deleted)
  // Set when JS takes results in chunks: the dump loop hands over `out`
  // whenever it holds chunk_records root records, and starts a new one.
  // False: the reader is gone, stop the request.
  std::function<bool(RecordSet&&)> emit = nullptr;
  size_t chunk_records = 1024;  // ~1-3 ms of object building per chunk
  // ... or this many cells of any schema, so big records (a link with its
  // stats) also stream while the kernel sends: ~1 000 routes or flows,
  // ~250 links.
  size_t chunk_cells = 48 * 1024;
  // The addon instance's threads, for the parse pipeline; null: parse inline.
  AddonThreads* threads = nullptr;
  // Called on the reading thread after each datagram that carried data, with
  // the reply's totals so far (a stream's progress, readable from JS while
  // the dump runs).
  std::function<void(const Reply&)> on_datagram = nullptr;
};

// Decides which data messages a parse keeps (family filters done natively,
// so what is dropped never becomes a JS object).
using MessageFilter = std::function<bool(const Message& m)>;

// Parses the data messages of `data` (a Reply's, control messages already
// removed) with `parser`. Malformed bytes become EBADMSG: false, err set.
bool parse_data(const Parser& parser, const uint8_t* data, size_t len, RecordSet* out, NlError* err,
                const MessageFilter* keep = nullptr);

// Parses one data message into `out`, for an op whose parse needs state of
// its own (ct.match's filters); problems with the bytes go to m.err().
using MessageParser = std::function<void(const Message& m, RecordSet& out)>;

// Sends `request` and parses the whole reply into ctx.out with `parse`:
// when JS takes chunks (ctx.emit), each datagram is parsed as it arrives
// (on a second thread once the reply is large, pipeline.h) and full chunks
// are handed over while the kernel is still sending.
bool transact_and_parse(const MessageParser& parse, OpContext& ctx, std::vector<uint8_t>& request);

// The same with `parser`, on the messages `keep` keeps (null: all).
bool transact_and_parse(const Parser& parser, OpContext& ctx, std::vector<uint8_t>& request,
                        const MessageFilter* keep = nullptr);

// An argument the op's request builder could not encode: EINVAL with `why`.
void set_einval(NlError* err, const std::string& why);

template <class A, bool (*Run)(OpContext&, const A&)>
bool run_typed(OpContext& ctx) {
  return Run(ctx, ctx.args.as<A>());
}

// The run of an op that only builds its request (Build) and parses the
// reply with its parser:
//   typed_op<LinkDumpArgs, run_request<LinkDumpArgs, build_dump>>(...)
template <class A, bool (*Build)(const A&, std::vector<uint8_t>*, std::string*)>
bool run_request(OpContext& ctx, const A& args) {
  std::vector<uint8_t> req;
  std::string why;
  if (!Build(args, &req, &why)) {
    set_einval(ctx.err, why);
    return false;
  }
  return transact_and_parse(*ctx.op->parser, ctx, req);
}

}  // namespace nlw
