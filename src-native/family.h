// What each per-family file (parse_link.cc, parse_addr.cc, ...) registers:
// the parsers of its reply messages, the operations JS can run, and the uapi
// constants JS exports. Nothing here depends on N-API, so the parsers can be
// built into a fuzzer harness without Node.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "attr.h"
#include "record.h"
#include "socket.h"

namespace nlw {

class AddonThreads;

// Parses one reply message into `out`. Called for every data message of a
// reply; a parser ignores message types it does not decode. Problems with the
// bytes go to m.err().
struct Parser {
  const char* name;  // parse.<name>() in JS
  const Schema& (*root)();
  void (*parse)(const Message& m, RecordSet& out);
};

// Plain values of an operation's arguments, converted from the JS object in
// addon.cc. The facade has already validated them.
struct Args {
  std::unordered_map<std::string, double> nums;
  std::unordered_map<std::string, std::string> strs;
  std::unordered_map<std::string, std::vector<uint8_t>> bufs;

  double num(const char* key, double fallback) const {
    auto it = nums.find(key);
    return it == nums.end() ? fallback : it->second;
  }
  const std::string* str(const char* key) const {
    auto it = strs.find(key);
    return it == strs.end() ? nullptr : &it->second;
  }
  const std::vector<uint8_t>* buf(const char* key) const {
    auto it = bufs.find(key);
    return it == bufs.end() ? nullptr : &it->second;
  }
};

// Everything an operation gets while it runs on a worker thread.
struct OpContext {
  NetlinkSocket* sock;
  const Args& args;
  int timeout_ms;
  CancelFds cancel;
  RecordSet* out;
  Reply reply;
  NlError* err;
  double result = 0;  // an op's scalar answer (e.g. flows deleted)
  // Set when JS takes results in chunks: run_request hands over `out`
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

struct Op {
  const char* name;  // "link.dump", ...
  int protocol;      // NETLINK_ROUTE, NETLINK_XFRM, NETLINK_NETFILTER
  const Parser* parser;
  // Builds the request; false (with `why`) for arguments it cannot encode.
  bool (*build)(const Args& args, std::vector<uint8_t>* request, std::string* why);
  // Optional: runs the whole operation instead of build + transact + parse.
  bool (*run)(OpContext& ctx) = nullptr;
};

std::vector<const Parser*>& parser_registry();
std::vector<const Op*>& op_registry();
std::vector<std::pair<const char*, double>>& constant_registry();
const Parser* find_parser(const std::string& name);
const Op* find_op(const std::string& name);

// Registration from a family file's static initialisers.
struct Register {
  explicit Register(const Parser& p) { parser_registry().push_back(&p); }
  explicit Register(const Op& o) { op_registry().push_back(&o); }
  Register(std::initializer_list<std::pair<const char*, double>> constants) {
    for (auto& c : constants) constant_registry().push_back(c);
  }
};
// NLW_CONST(RTN_UNICAST) -> {"RTN_UNICAST", RTN_UNICAST}: the value comes
// from the uapi header, never retyped.
#define NLW_CONST(name) \
  { #name, static_cast < double>(name) }

// Parses every message of `data` (a reply, or a captured Buffer) with
// `parser`. NLMSG_DONE ends it; NLMSG_ERROR with an errno becomes that error;
// malformed bytes become EBADMSG. Returns false with err set.
// Decides which data messages a parse keeps (family filters done natively,
// so what is dropped never becomes a JS object).
using MessageFilter = std::function<bool(const Message& m)>;

bool parse_messages(const Parser& parser, const uint8_t* data, size_t len, RecordSet* out,
                    bool* interrupted, NlError* err, const MessageFilter* keep = nullptr);

// Sends `request` and parses the whole reply into ctx.out with op.parser:
// when JS takes chunks (ctx.emit), each datagram is parsed as it arrives and
// full chunks are handed over while the kernel is still sending.
bool transact_and_parse(const Op& op, OpContext& ctx, std::vector<uint8_t>& request,
                        const MessageFilter* keep = nullptr);

// The default run: build, then transact_and_parse.
bool run_request(const Op& op, OpContext& ctx);

// Building requests: a header, a fixed family struct, then attributes.
class RequestBuilder {
 public:
  RequestBuilder(uint16_t type, uint16_t flags);
  template <class T>
  RequestBuilder& fixed(const T& v) {
    append(&v, sizeof v);
    return *this;
  }
  RequestBuilder& attr(uint16_t type, const void* p, size_t n);
  RequestBuilder& attr_u8(uint16_t type, uint8_t v) { return attr(type, &v, 1); }
  RequestBuilder& attr_u16(uint16_t type, uint16_t v) { return attr(type, &v, 2); }
  RequestBuilder& attr_u32(uint16_t type, uint32_t v) { return attr(type, &v, 4); }
  RequestBuilder& attr_str(uint16_t type, const std::string& s) {
    return attr(type, s.c_str(), s.size() + 1);
  }
  // Nested attributes: begin returns a token for end.
  size_t begin_nest(uint16_t type);
  void end_nest(size_t token);
  std::vector<uint8_t> take();

 private:
  void append(const void* p, size_t n);
  std::vector<uint8_t> buf_;
};

}  // namespace nlw
