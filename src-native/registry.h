// What each per-family file (parse_link.cc, parse_addr.cc, ...) registers:
// the parsers of its reply messages, the operations JS can run, and the uapi
// constants JS exports. Nothing here depends on N-API, so the parsers can be
// built into a fuzzer harness without Node.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "attr.h"
#include "record.h"

namespace nlw {

// Parses one data message into `out`. A parser ignores message types it does
// not decode. Problems with the bytes go to m.err().
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

struct OpContext;  // dump.h: what an operation gets while it runs

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

}  // namespace nlw
