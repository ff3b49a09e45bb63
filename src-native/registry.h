// What each per-family file (parse_link.cc, parse_addr.cc, ...) registers:
// the parsers of its reply messages, the operations JS can run, and the uapi
// constants JS exports. Nothing here depends on N-API, so the parsers can be
// built into a fuzzer harness without Node.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "args.h"
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

struct OpContext;  // dump.h: what an operation gets while it runs

// The Op's run: its arguments as the struct the spec says they are.
template <class A, bool (*Run)(OpContext&, const A&)>
bool run_typed(OpContext& ctx);

struct Op {
  const char* name;  // "link.dump", ...
  int protocol;      // NETLINK_ROUTE, NETLINK_XFRM, NETLINK_NETFILTER
  const Parser* parser;
  const ArgsSpec& (*args)();  // the argument struct it takes (args.h)
  bool (*run)(OpContext& ctx);
};

// An Op whose run gets its own argument struct A, decoded at the boundary:
//   const Op kGet = typed_op<LinkGetArgs, run_get>("link.get", NETLINK_ROUTE, &kLinkParser);
template <class A, bool (*Run)(OpContext&, const A&)>
constexpr Op typed_op(const char* name, int protocol, const Parser* parser) {
  return Op{name, protocol, parser, &A::spec, &run_typed<A, Run>};
}

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
